import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { pusherOptionsSchema } from '../../../src/components/pusher/options.js'
import { configSchema } from '../../../src/config/schema.js'
import { envBindings } from '../../../src/config/env-bindings.js'
import { closeAction, closesConnection, hubChannelOf, parsePusherChannel, pusherAppDefaults, PusherCode, SubscriptionStatus, webhookEventNames } from '../../../src/protocol/pusher/index.js'

const docs = readFileSync(new URL('../../../docs/pusher.md', import.meta.url), 'utf8')

/** The rows of the first table after `heading`: first cell → the other cells (backticks dropped). */
function table(heading: string): Map<string, string[]> {
  const section = docs.split(`\n${heading}\n`)[1]
  assert.ok(section !== undefined, `section ${heading}`)
  const all = section.split('\n')
  const start = all.findIndex((line) => line.startsWith('|'))
  assert.ok(start !== -1, `a table after ${heading}`)
  const contiguous: string[] = []
  for (const line of all.slice(start)) {
    if (!line.startsWith('|')) break
    contiguous.push(line)
  }
  const rows = new Map<string, string[]>()
  for (const line of contiguous.slice(2)) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', ''))
    rows.set(cells[0] ?? '', cells.slice(1))
  }
  return rows
}

describe('docs/integrations/laravel.md', () => {
  it('names only environment variables Sprocket reads', () => {
    const page = readFileSync(new URL('../../../docs/integrations/laravel.md', import.meta.url), 'utf8')
    const named = [...page.matchAll(/\b(SPROCKET_[A-Z_]+)=/g)].map((match) => match[1])
    assert.ok(named.length >= 4)
    const known = new Set(envBindings.map((binding) => binding.name))
    for (const name of named) assert.ok(known.has(name ?? ''), `${name} is read by Sprocket`)
  })
})

describe('docs/pusher.md', () => {
  it('lists every pusher:error code, whether it closes, and what pusher-js does', () => {
    const rows = table('## Error codes')
    for (const code of Object.values(PusherCode)) {
      const row = rows.get(String(code))
      assert.ok(row !== undefined, `code ${code} is documented`)
      assert.equal(row[1], closesConnection(code) ? 'yes' : 'no', `closes for ${code}`)
      assert.equal(row[2], closeAction(code), `pusher-js action for ${code}`)
    }
    assert.equal(rows.size, Object.values(PusherCode).length, 'no undocumented extra rows')
  })

  it('lists every subscription error status', () => {
    const rows = table('### Subscription errors')
    for (const status of Object.values(SubscriptionStatus)) assert.ok(rows.has(String(status)), `status ${status}`)
  })

  it("states every app setting's default as the code has it", () => {
    const rows = table('Each app\'s settings and their defaults:')
    for (const [name, value] of Object.entries(pusherAppDefaults)) {
      assert.equal(rows.get(name)?.[0], String(value), name)
    }
  })

  it('its channel mapping table is what the code maps', () => {
    const rows = table('channel, so apps stay apart:')
    assert.ok(rows.size >= 7)
    for (const [name, [hub]] of rows) {
      const channel = parsePusherChannel(name)
      assert.ok(channel !== undefined, name)
      assert.equal(hubChannelOf('pusher-12345', channel), hub, name)
    }
  })

  it('lists every webhook event', () => {
    const rows = table('## Webhooks')
    assert.deepEqual([...rows.keys()].sort(), [...webhookEventNames].sort())
  })

  it('its config example is a valid config file', () => {
    const example = /Several apps from the config file[^\n]*\n\n```json\n([\s\S]*?)```/.exec(docs)?.[1]
    assert.ok(example !== undefined)
    const parsed = configSchema.parse(JSON.parse(example))
    assert.equal(parsed.pusher.apps.length, 2)
    assert.ok(pusherOptionsSchema.safeParse(JSON.parse(example).pusher).success)
  })
})
