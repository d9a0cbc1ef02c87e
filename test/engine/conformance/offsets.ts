import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Engine } from '../../../src/engine/types.js'
import { type ConformanceContext, KEEP } from './context.js'

/** Offsets (gap-free, ordered under concurrency) and epochs (stable, durable or new). */
export function offsetCases(ctx: ConformanceContext): void {
  const { startEngine, capabilities } = ctx
  describe('offsets', () => {
    test('a channel never published to has offset 0 and a stable epoch', async () => {
      const { engine } = await startEngine()
      const first = await engine.history('fresh', { limit: 10 })
      assert.equal(first.offset, 0)
      assert.ok(first.epoch.length > 0)
      assert.deepEqual(first.publications, [])
      const second = await engine.history('fresh', { limit: 10 })
      assert.equal(second.epoch, first.epoch)
      const published = await engine.publish('fresh', '{}', KEEP)
      assert.deepEqual(published, { offset: 1, epoch: first.epoch, duplicate: false })
    })

    test('a subscriber of a never-published channel keeps its epoch, however many other channels are read', async () => {
      const { engine, rec } = await startEngine()
      await engine.subscribe('quiet')
      const seen = await engine.history('quiet', { limit: 0 })
      assert.equal(seen.offset, 0)
      for (let i = 0; i < 10_000; i++) await engine.history(`other${i}`, { limit: 0 })
      assert.deepEqual(await engine.history('quiet', { limit: 10, since: { offset: 0, epoch: seen.epoch } }), { ...seen, publications: [] })
      assert.deepEqual(await engine.publish('quiet', '1', KEEP), { offset: 1, epoch: seen.epoch, duplicate: false })
      await rec.waitForCount(1)
      assert.deepEqual(rec.publications('quiet')[0]?.position, { offset: 1, epoch: seen.epoch })
    })

    test('1,000 concurrent publishes to one channel get offsets 1..1000 in call order', async () => {
      const { engine, rec } = await startEngine()
      await engine.subscribe('hot')
      const resolvedOrder: number[] = []
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          engine.publish('hot', JSON.stringify({ i }), KEEP).then((r) => {
            resolvedOrder.push(r.offset)
            return r
          }),
        ),
      )
      assert.deepEqual(
        results.map((r) => r.offset),
        Array.from({ length: 1000 }, (_, i) => i + 1),
      )
      assert.deepEqual(resolvedOrder, results.map((r) => r.offset))
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1)
      const history = await engine.history('hot', { limit: 2000 })
      assert.equal(history.offset, 1000)
      assert.deepEqual(
        history.publications.map((p) => [p.offset, p.data]),
        Array.from({ length: 1000 }, (_, i) => [i + 1, JSON.stringify({ i })]),
      )
      const epoch = history.epoch
      const window = async (q: Parameters<Engine['history']>[1]): Promise<number[]> =>
        (await engine.history('hot', q)).publications.map((p) => p.offset)
      const range = (from: number, to: number): number[] =>
        Array.from({ length: Math.abs(to - from) + 1 }, (_, k) => (from <= to ? from + k : from - k))
      assert.deepEqual(await window({ limit: 300, since: { offset: 250, epoch } }), range(251, 550))
      assert.deepEqual(await window({ limit: 300, since: { offset: 500, epoch }, reverse: true }), range(499, 200))
      assert.deepEqual(await window({ limit: 600, since: { offset: 700, epoch }, reverse: true }), range(699, 100))
      assert.deepEqual(await window({ limit: 1000, since: { offset: 300, epoch }, reverse: true }), range(299, 1))
      assert.deepEqual(await window({ limit: 5, reverse: true }), range(1000, 996))
      await rec.waitForCount(1000)
      assert.deepEqual(
        rec.publications('hot').map((e) => [e.publication.offset, e.position.offset, e.publication.data]),
        Array.from({ length: 1000 }, (_, i) => [i + 1, i + 1, JSON.stringify({ i })]),
      )
    })

    test('interleaved channels each count gap-free on their own', async () => {
      const { engine, rec } = await startEngine()
      const channels = ['a', 'b', 'c', 'd', 'e']
      for (const c of channels) await engine.subscribe(c)
      const calls = Array.from({ length: 1000 }, (_, i) => ({ channel: channels[(i * 7) % 5]!, i }))
      const results = await Promise.all(calls.map(({ channel, i }) => engine.publish(channel, String(i), KEEP)))
      for (const c of channels) {
        const offsets = results.filter((_, k) => calls[k]!.channel === c).map((r) => r.offset)
        assert.deepEqual(offsets, Array.from({ length: 200 }, (_, i) => i + 1), `channel ${c}`)
        const history = await engine.history(c, { limit: 1000 })
        assert.deepEqual(
          history.publications.map((p) => p.data),
          calls.filter((call) => call.channel === c).map((call) => String(call.i)),
        )
      }
      await rec.waitForCount(1000)
      for (const c of channels) {
        assert.deepEqual(
          rec.publications(c).map((e) => e.publication.offset),
          Array.from({ length: 200 }, (_, i) => i + 1),
        )
      }
    })
  })

  describe('epochs', () => {
    test('stay the same within a run', async () => {
      const { engine } = await startEngine()
      const a = await engine.publish('ep', '1', KEEP)
      await engine.publish('other', '1', KEEP)
      const b = await engine.publish('ep', '2', KEEP)
      assert.equal(a.epoch, b.epoch)
      assert.equal((await engine.history('ep', { limit: 0 })).epoch, a.epoch)
    })

    test(capabilities.durable ? 'survive close and reopen with history intact' : 'are new in a new engine', async () => {
      const first = await startEngine()
      await first.engine.publish('ep', '"one"', KEEP)
      const two = await first.engine.publish('ep', '"two"', KEEP)
      await first.engine.close()
      const second = await startEngine()
      const r = await second.engine.history('ep', { limit: 10 })
      if (capabilities.durable) {
        assert.deepEqual(
          { offset: r.offset, epoch: r.epoch, data: r.publications.map((p) => p.data) },
          { offset: 2, epoch: two.epoch, data: ['"one"', '"two"'] },
        )
        assert.deepEqual(await second.engine.publish('ep', '"three"', KEEP), { offset: 3, epoch: two.epoch, duplicate: false })
      } else {
        assert.notEqual(r.epoch, two.epoch)
        assert.equal(r.offset, 0)
        assert.deepEqual(r.publications, [])
      }
    })
  })
}
