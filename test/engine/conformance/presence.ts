import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep } from '../recorder.js'
import { type ConformanceContext, info } from './context.js'

/** Presence entries: add, refresh, expiry, remove, stats. */
export function presenceCases(ctx: ConformanceContext): void {
  const { startEngine } = ctx
  describe('presence', () => {
    test('add, list, stats (users deduplicated) and remove', async () => {
      const { engine } = await startEngine()
      assert.deepEqual(await engine.presence('p'), {})
      assert.deepEqual(await engine.presenceStats('p'), { numClients: 0, numUsers: 0 })
      await engine.addPresence('p', { client: 'c1', user: 'u1', connInfo: '{"n":1}' }, 10_000)
      await engine.addPresence('p', info('c2', 'u1'), 10_000)
      await engine.addPresence('p', info('c3', 'u2'), 10_000)
      await engine.addPresence('q', info('c4', 'u4'), 10_000)
      assert.deepEqual(await engine.presence('p'), {
        c1: { client: 'c1', user: 'u1', connInfo: '{"n":1}' },
        c2: info('c2', 'u1'),
        c3: info('c3', 'u2'),
      })
      assert.deepEqual(await engine.presenceStats('p'), { numClients: 3, numUsers: 2 })
      await engine.removePresence('p', 'c2')
      await engine.removePresence('p', 'nobody')
      assert.deepEqual(Object.keys(await engine.presence('p')).sort(), ['c1', 'c3'])
      assert.deepEqual(await engine.presenceStats('p'), { numClients: 2, numUsers: 2 })
      assert.deepEqual(await engine.presenceStats('q'), { numClients: 1, numUsers: 1 })
    })

    test('entries expire unless refreshed', async () => {
      // kept: ttl 600 ms, refreshed at ~400 ms, checked at ~800 ms (past its first expiry).
      const { engine } = await startEngine()
      await engine.addPresence('exp', info('short', 'u1'), 100)
      await engine.addPresence('exp', info('kept', 'u2'), 600)
      await sleep(400)
      await engine.addPresence('exp', info('kept', 'u2'), 600) // refresh
      assert.deepEqual(Object.keys(await engine.presence('exp')), ['kept'])
      assert.deepEqual(await engine.presenceStats('exp'), { numClients: 1, numUsers: 1 })
      await sleep(400)
      assert.deepEqual(Object.keys(await engine.presence('exp')), ['kept'])
      await sleep(400)
      assert.deepEqual(await engine.presence('exp'), {})
      assert.deepEqual(await engine.presenceStats('exp'), { numClients: 0, numUsers: 0 })
    })
  })
}
