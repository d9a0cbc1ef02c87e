import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep } from '../recorder.js'
import { type ConformanceContext, KEEP } from './context.js'

/** Idempotent publish within and after the window. */
export function idempotencyCases(ctx: ConformanceContext): void {
  const { startEngine } = ctx
  describe('idempotent publish', () => {
    test('the same key within the window returns the first position and appends nothing', async () => {
      const { engine, rec } = await startEngine()
      await engine.subscribe('idem')
      const opts = { ...KEEP, idempotencyKey: 'k1', idempotencyWindowMs: 10_000 }
      const first = await engine.publish('idem', '"x"', opts)
      const again = await engine.publish('idem', '"x"', opts)
      assert.deepEqual(again, { offset: first.offset, epoch: first.epoch, duplicate: true })
      const [c1, c2] = await Promise.all([engine.publish('idem', '"y"', { ...opts, idempotencyKey: 'k2' }), engine.publish('idem', '"y"', { ...opts, idempotencyKey: 'k2' })])
      assert.deepEqual([c1.duplicate, c2.duplicate], [false, true])
      assert.equal(c2.offset, c1.offset)
      // Keys are per channel.
      const elsewhere = await engine.publish('idem-other', '"x"', opts)
      assert.equal(elsewhere.duplicate, false)
      const h = await engine.history('idem', { limit: 10 })
      assert.equal(h.offset, 2)
      assert.deepEqual(
        h.publications.map((p) => p.data),
        ['"x"', '"y"'],
      )
      await engine.publish('idem', '"z"', KEEP)
      await rec.waitForCount(3)
      await sleep(30)
      assert.deepEqual(
        rec.publications('idem').map((e) => e.publication.offset),
        [1, 2, 3],
      )
    })

    test('after the window the same key publishes again', async () => {
      const { engine } = await startEngine()
      const opts = { ...KEEP, idempotencyKey: 'k', idempotencyWindowMs: 100 }
      const first = await engine.publish('win', '1', opts)
      await sleep(200)
      const later = await engine.publish('win', '1', opts)
      assert.deepEqual(later, { offset: first.offset + 1, epoch: first.epoch, duplicate: false })
    })
  })
}
