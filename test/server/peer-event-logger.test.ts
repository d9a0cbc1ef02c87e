import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EchoServer } from '../../src/index.js'
import { peerEventLogger, peerLogBudgetDefaults } from '../../src/server/peer-event-logger.js'
import { RecordingLogger } from '../recording-logger.js'
import { rawExchange, startApp, statusOf, upgradeRequest } from './helpers.js'

describe('log lines peers cause are bounded', () => {
  test('a flood of refused handshakes with 12 KB URLs writes a burst of short lines, then one count', async () => {
    const logger = new RecordingLogger()
    const app = await startApp({ logger }, (a) => a.route('/echo', new EchoServer()))
    try {
      const longPath = `/nowhere/${'x'.repeat(12_000)}`
      const refusals = 300
      for (let i = 0; i < refusals; i += 50) {
        const batch = Array.from({ length: 50 }, () => rawExchange(app.port, upgradeRequest(longPath)))
        for (const response of await Promise.all(batch)) assert.equal(statusOf(response), 404)
      }
      const refused = logger.warnings.filter((entry) => entry.message === 'handshake refused')
      assert.ok(refused.length >= peerLogBudgetDefaults.burst && refused.length < refusals, `${refused.length} lines`)
      for (const entry of refused) assert.ok(String(entry.details['url']).length <= peerLogBudgetDefaults.maxFieldChars + 1)
      await new Promise((resolve) => setTimeout(resolve, 1200))
      const reports = logger.warnings.filter((entry) => entry.message === 'peer events not logged (log budget exceeded)')
      assert.equal(reports.length, 1)
      assert.equal(refused.length + Number(reports[0]?.details['suppressed']), refusals)
    } finally {
      await app.close()
    }
  })

  test('children share one budget; debug lines are not budgeted; short fields pass unchanged', () => {
    const logger = new RecordingLogger()
    const peers = peerEventLogger(logger, { linesPerSecond: 1, burst: 2, maxFieldChars: 4 })
    const child = peers.child({ route: '/a' })
    peers.warn({ url: 'abc' }, 'one')
    child.error({ url: 'abcdefgh' }, 'two')
    child.warn({}, 'three')
    for (let i = 0; i < 100; i++) peers.debug({}, 'debug')
    assert.deepEqual(logger.warnings.map((entry) => entry.details), [{ url: 'abc' }])
    assert.deepEqual(logger.errors.map((entry) => entry.details), [{ url: 'abcd…' }])
  })
})
