import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { DisconnectCode, disconnectReason, reconnects } from '../../../src/protocol/centrifuge/index.js'

/** Codes the protocol module defines but the native protocol component never sends. */
const notSent = new Set<number>([DisconnectCode.forceReconnect])

/** Rows of the "Disconnect (close) codes" table in docs/protocol.md: code → [reason, reconnect]. */
function documentedCloseCodes(): Map<number, { reason: string; reconnect: string }> {
  const text = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')
  const section = text.split('## Disconnect (close) codes')[1]?.split('\n## ')[0] ?? ''
  const rows = new Map<number, { reason: string; reconnect: string }>()
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    const code = Number(cells[1])
    if (Number.isInteger(code) && code > 0) rows.set(code, { reason: cells[2] ?? '', reconnect: cells[3] ?? '' })
  }
  return rows
}

describe('docs/protocol.md close codes', () => {
  it('lists every close code the native protocol sends, with its reason and reconnect behaviour', () => {
    const rows = documentedCloseCodes()
    for (const code of Object.values(DisconnectCode)) {
      if (notSent.has(code)) continue
      const row = rows.get(code)
      assert.ok(row !== undefined, `close code ${code} is not documented`)
      assert.equal(row.reason, disconnectReason[code], `reason of ${code}`)
      assert.equal(row.reconnect.replaceAll('*', ''), reconnects(code) ? 'yes' : 'no', `reconnect of ${code}`)
    }
  })
})
