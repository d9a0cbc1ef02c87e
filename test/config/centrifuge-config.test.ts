import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { resolveCentrifugeOptions } from '../../src/components/centrifuge/options.js'
import { ConfigError, loadConfig } from '../../src/config/index.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-centrifuge-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function writeConfig(content: unknown): string {
  const path = join(dir, `config-${files++}.json`)
  writeFileSync(path, JSON.stringify(content))
  return path
}

/** The issues loading `centrifuge` as this section produces. */
function issuesFor(centrifuge: unknown): { path: string; source?: string | undefined }[] {
  const configPath = writeConfig({ centrifuge })
  try {
    loadConfig({ env: {}, configPath })
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    return error.issues.map(({ path, source }) => ({ path, source }))
  }
  assert.fail('expected loadConfig to throw')
}

describe('the centrifuge config section', () => {
  test('omitted, it holds exactly the protocol component’s defaults', () => {
    const section = loadConfig({ env: {} }).centrifuge
    const resolved = resolveCentrifugeOptions()
    assert.ok(Object.keys(section).length >= 10, 'the section is composed into the schema')
    for (const [key, value] of Object.entries(section)) {
      assert.equal(value, resolved[key as keyof typeof resolved], key)
    }
    assert.equal(section.maxRejectedPerSecond, undefined, 'derived from maxCommandsPerSecond unless set')
    assert.equal(section.tickMs, undefined, 'derived from the delays unless set')
    assert.equal('allowAnonymous' in section, false, 'decided by the client section')
  })

  test('a file sets fields and leaves the rest at their defaults', () => {
    const configPath = writeConfig({ centrifuge: { pingIntervalMs: 0, maxMessageBytes: 2048, personalChannel: false, tickMs: 50 } })
    const section = loadConfig({ env: {}, configPath }).centrifuge
    assert.equal(section.pingIntervalMs, 0, '0 disables pings')
    assert.equal(section.maxMessageBytes, 2048)
    assert.equal(section.personalChannel, false)
    assert.equal(section.tickMs, 50)
    assert.equal(section.commandBurst, resolveCentrifugeOptions().commandBurst)
    const resolved = resolveCentrifugeOptions(section)
    assert.equal(resolved.maxRejectedPerSecond, section.maxCommandsPerSecond)
    assert.equal(resolved.tickMs, 50)
  })

  const bad: [string, Record<string, unknown>, string[]][] = [
    ['a negative delay', { pongTimeoutMs: -1 }, ['centrifuge.pongTimeoutMs']],
    ['a negative ping period', { pingIntervalMs: -5 }, ['centrifuge.pingIntervalMs']],
    ['zero where 0 means nothing', { maxMessageBytes: 0 }, ['centrifuge.maxMessageBytes']],
    ['a fraction', { commandBurst: 1.5 }, ['centrifuge.commandBurst']],
    ['a string for a number', { maxMessageBytes: '64k' }, ['centrifuge.maxMessageBytes']],
    ['a string for a boolean', { personalChannel: 'no' }, ['centrifuge.personalChannel']],
    ['an unknown field', { pingIntervalSeconds: 25 }, ['centrifuge.pingIntervalSeconds']],
    ['allowAnonymous, which belongs to the client section', { allowAnonymous: false }, ['centrifuge.allowAnonymous']],
    ['several at once', { historyMaxPublications: -1, tickMs: 'fast' }, ['centrifuge.historyMaxPublications', 'centrifuge.tickMs']],
  ]
  for (const [what, section, paths] of bad) {
    test(`${what} is refused, naming the field and the file`, () => {
      const issues = issuesFor(section)
      assert.deepEqual(issues.map((issue) => issue.path).sort(), [...paths].sort())
      for (const issue of issues) assert.match(issue.source ?? '', /config-\d+\.json$/)
    })
  }

  test('a section that is not an object is refused', () => {
    assert.deepEqual(issuesFor(25_000).map((issue) => issue.path), ['centrifuge'])
  })
})
