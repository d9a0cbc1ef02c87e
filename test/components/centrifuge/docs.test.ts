import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { DisconnectReason, ErrorReason } from '../../../src/errors.js'
import { DisconnectCode, disconnectCodeOf, disconnectReason, errorCodeOf, reconnects } from '../../../src/protocol/centrifuge/index.js'

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

/** Rows of the first table after `heading` in docs/errors.md whose first cell starts with a digit: first cell → second cell. */
function errorsDocTable(heading: string, after: string): Map<string, string> {
  const text = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8')
  const section = text.split(heading)[1]?.split('\n## ')[0] ?? ''
  const table = section.split(after)[1] ?? ''
  const rows = new Map<string, string>()
  for (const line of table.split('\n\n')[1]?.split('\n') ?? []) {
    const cells = line.split('|').map((cell) => cell.trim().replaceAll('`', ''))
    if (cells[1] !== undefined && cells[2] !== undefined) rows.set(cells[1], cells[2])
  }
  return rows
}

describe('docs/errors.md neutral reasons', () => {
  it('maps every ErrorReason to the code the native protocol replies with', () => {
    const rows = errorsDocTable('## Error codes in replies', 'maps each\nreason to its number')
    for (const reason of Object.values(ErrorReason)) {
      assert.equal(rows.get(String(errorCodeOf(reason))), reason, `reason ${reason}`)
    }
  })

  it('maps every DisconnectReason to the close code the native protocol sends', () => {
    const rows = errorsDocTable('## Error codes in replies', 'which the native\nprotocol closes with')
    const byReason = new Map([...rows].map(([reason, code]) => [reason, code]))
    for (const reason of Object.values(DisconnectReason)) {
      assert.equal(byReason.get(reason), String(disconnectCodeOf(reason)), `disconnect reason ${reason}`)
    }
  })
})
