import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { ClientInfo, Engine, PublishResult } from '../../../src/engine/types.js'
import { sleep } from '../recorder.js'
import { type ConformanceContext, KEEP } from './context.js'

/** History reads (since, limit, reverse), retention by size and TTL, removeHistory. */
export function historyCases(ctx: ConformanceContext): void {
  const { startEngine } = ctx
  describe('history', () => {
    test('since, limit and reverse', async () => {
      const { engine } = await startEngine()
      let epoch = ''
      for (let i = 1; i <= 10; i++) epoch = (await engine.publish('h', `"m${i}"`, KEEP)).epoch
      const offsets = async (q: Parameters<Engine['history']>[1]): Promise<number[]> => {
        const r = await engine.history('h', q)
        assert.equal(r.offset, 10)
        assert.equal(r.epoch, epoch)
        return r.publications.map((p) => p.offset)
      }
      assert.deepEqual(await offsets({ limit: 3 }), [1, 2, 3])
      assert.deepEqual(await offsets({ limit: 3, reverse: true }), [10, 9, 8])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 4, epoch } }), [5, 6, 7])
      assert.deepEqual(await offsets({ limit: 100, since: { offset: 4, epoch } }), [5, 6, 7, 8, 9, 10])
      // Reverse with since pages backwards: offsets below since, newest first.
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 4, epoch }, reverse: true }), [3, 2, 1])
      assert.deepEqual(await offsets({ limit: 2, since: { offset: 8, epoch }, reverse: true }), [7, 6])
      assert.deepEqual(await offsets({ limit: 100, since: { offset: 8, epoch }, reverse: true }), [7, 6, 5, 4, 3, 2, 1])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 11, epoch }, reverse: true }), [10, 9, 8])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 1, epoch }, reverse: true }), [])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 0, epoch }, reverse: true }), [])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 4, epoch: `${epoch}-other` }, reverse: true }), [])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 10, epoch } }), [])
      assert.deepEqual(await offsets({ limit: 0 }), [])
      assert.deepEqual(await offsets({ limit: 3, since: { offset: 4, epoch: `${epoch}-other` } }), [])
      const full = await engine.history('h', { limit: 1 })
      assert.equal(full.publications[0]?.data, '"m1"')
    })

    test('publications keep their info, tags and time', async () => {
      const { engine } = await startEngine()
      const before = Date.now()
      const who: ClientInfo = { client: 'c1', user: 'u1', connInfo: '{"name":"Ann"}', chanInfo: '{"role":"admin"}' }
      await engine.publish('meta', '{"x":1}', { ...KEEP, info: who, tags: { kind: 'note' } })
      await engine.publish('meta', '{"x":"héllo 🌍\\n 2"}', KEEP)
      const [first, second] = (await engine.history('meta', { limit: 10 })).publications
      assert.deepEqual(first?.info, who)
      assert.deepEqual(first?.tags, { kind: 'note' })
      assert.ok(first!.timeMs >= before - 1 && first!.timeMs <= Date.now() + 1)
      assert.equal(second?.data, '{"x":"héllo 🌍\\n 2"}')
      assert.equal(second?.info, undefined)
      assert.equal(second?.tags, undefined)
    })

    test('retention by size keeps the newest, the offset keeps counting', async () => {
      const { engine } = await startEngine()
      for (let i = 1; i <= 12; i++) await engine.publish('sized', String(i), { historySize: 5, historyTtlMs: 60_000 })
      const r = await engine.history('sized', { limit: 100 })
      assert.equal(r.offset, 12)
      assert.deepEqual(
        r.publications.map((p) => p.offset),
        [8, 9, 10, 11, 12],
      )
      // Forward from a position no longer retained starts at the oldest retained; backwards stops there.
      const since = (offset: number): { offset: number; epoch: string } => ({ offset, epoch: r.epoch })
      assert.deepEqual((await engine.history('sized', { limit: 3, since: since(2) })).publications.map((p) => p.offset), [8, 9, 10])
      assert.deepEqual((await engine.history('sized', { limit: 10, since: since(10), reverse: true })).publications.map((p) => p.offset), [9, 8])
      assert.deepEqual((await engine.history('sized', { limit: 10, since: since(8), reverse: true })).publications, [])
      // A burst in one go is trimmed the same way.
      await Promise.all(Array.from({ length: 20 }, (_, i) => engine.publish('sized', String(i), { historySize: 5, historyTtlMs: 60_000 })))
      assert.deepEqual(
        (await engine.history('sized', { limit: 100 })).publications.map((p) => p.offset),
        [28, 29, 30, 31, 32],
      )
    })

    test('historySize 0 stores nothing but still advances the offset', async () => {
      const { engine } = await startEngine()
      await engine.publish('nohist', '1', { historySize: 0, historyTtlMs: 60_000 })
      const r = await engine.publish('nohist', '2', { historySize: 0, historyTtlMs: 60_000 })
      assert.equal(r.offset, 2)
      const h = await engine.history('nohist', { limit: 10 })
      assert.equal(h.offset, 2)
      assert.deepEqual(h.publications, [])
    })

    test('retention by TTL drops expired publications', async () => {
      const { engine } = await startEngine()
      await engine.publish('ttl', '"old"', { historySize: 100, historyTtlMs: 400 })
      await engine.publish('ttl', '"old2"', { historySize: 100, historyTtlMs: 400 })
      const keep = await engine.publish('ttl', '"new"', { historySize: 100, historyTtlMs: 60_000 })
      assert.equal((await engine.history('ttl', { limit: 10 })).publications.length, 3)
      await sleep(600)
      const r = await engine.history('ttl', { limit: 10 })
      assert.deepEqual(
        r.publications.map((p) => p.data),
        ['"new"'],
      )
      assert.deepEqual({ offset: r.offset, epoch: r.epoch }, { offset: keep.offset, epoch: keep.epoch })
    })

    test('a quiet stream whose history all expired keeps its position (meta outlives the data)', async () => {
      const { engine } = await startEngine()
      const p = await engine.publish('gone', '1', { historySize: 100, historyTtlMs: 100 })
      await sleep(350)
      const r = await engine.history('gone', { limit: 10 })
      assert.deepEqual(r, { offset: 1, epoch: p.epoch, publications: [] })
      assert.deepEqual(await engine.publish('gone', '2', KEEP), { offset: 2, epoch: p.epoch, duplicate: false })
    })

    test('past the meta TTL a stream is forgotten, unless it is subscribed on this node', async () => {
      const { engine, rec } = await startEngine({ historyMetaTtlMs: 100 })
      const short = { historySize: 100, historyTtlMs: 50 }
      await engine.subscribe('live')
      const live = await engine.publish('live', '1', short)
      const idle = await engine.publish('idle', '1', short)
      await sleep(450)
      const forgotten = await engine.history('idle', { limit: 10 })
      assert.notEqual(forgotten.epoch, idle.epoch)
      assert.equal(forgotten.offset, 0)
      assert.deepEqual(await engine.history('live', { limit: 10 }), { offset: 1, epoch: live.epoch, publications: [] })
      assert.deepEqual(await engine.publish('live', '2', short), { offset: 2, epoch: live.epoch, duplicate: false })
      await rec.waitForCount(2)
      assert.deepEqual(
        rec.publications('live').map((e) => e.position),
        [
          { offset: 1, epoch: live.epoch },
          { offset: 2, epoch: live.epoch },
        ],
      )
    })

    test('removeHistory drops publications but keeps offset and epoch', async () => {
      const { engine } = await startEngine()
      let last: PublishResult | undefined
      for (let i = 0; i < 5; i++) last = await engine.publish('rm', String(i), KEEP)
      await engine.removeHistory('rm')
      const r = await engine.history('rm', { limit: 10 })
      assert.deepEqual(r, { offset: 5, epoch: last!.epoch, publications: [] })
      const next = await engine.publish('rm', '"after"', KEEP)
      assert.deepEqual(next, { offset: 6, epoch: last!.epoch, duplicate: false })
      const since = await engine.history('rm', { limit: 10, since: { offset: 5, epoch: last!.epoch } })
      assert.deepEqual(
        since.publications.map((p) => p.data),
        ['"after"'],
      )
      await engine.removeHistory('never-used')
    })
  })
}
