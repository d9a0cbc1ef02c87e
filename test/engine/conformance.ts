import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { ClientInfo, Engine, EngineCapabilities, PublishOptions, PublishResult } from '../../src/engine/types.js'
import { Recorder, sleep } from './recorder.js'

/**
 * The backing store of one test: a fresh temp dir (file engines) and a unique id (key prefix for
 * server-backed engines). Engines made on the same store share state as far as the engine keeps
 * any: that is how durability (close, reopen) and several nodes are tested.
 */
export type EngineStore = { dir: string; id: string }

/** Makes an engine on `store`; may be called several times per store. Sweeps should run often (≤ 100 ms). */
export type MakeEngine = (store: EngineStore) => Engine

const KEEP: PublishOptions = { historySize: 10_000, historyTtlMs: 60_000 }
const info = (client: string, user: string): ClientInfo => ({ client, user })

/**
 * The Engine contract as tests, run by every engine's test file. Differences between engines are
 * the declared `capabilities`, never forked tests.
 */
export function runEngineConformance(name: string, makeEngine: MakeEngine, capabilities: EngineCapabilities): void {
  describe(`${name} engine conformance`, () => {
    let store: EngineStore
    let opened: Engine[] = []

    beforeEach(async () => {
      store = { dir: await mkdtemp(join(tmpdir(), 'sprocket-engine-')), id: randomUUID() }
    })

    afterEach(async () => {
      for (const engine of opened) await engine.close()
      opened = []
      await rm(store.dir, { recursive: true, force: true })
    })

    async function startEngine(): Promise<{ engine: Engine; rec: Recorder }> {
      const engine = makeEngine(store)
      opened.push(engine)
      const rec = new Recorder()
      await engine.start(rec)
      return { engine, rec }
    }

    test('declares its capabilities', async () => {
      const { engine } = await startEngine()
      assert.deepEqual(engine.capabilities, capabilities)
      assert.equal(typeof engine.name, 'string')
    })

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
        assert.deepEqual(await window({ limit: 300, since: { offset: 500, epoch }, reverse: true }), range(1000, 701))
        assert.deepEqual(await window({ limit: 600, since: { offset: 700, epoch }, reverse: true }), range(1000, 701))
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
        assert.deepEqual(await offsets({ limit: 3, since: { offset: 4, epoch }, reverse: true }), [10, 9, 8])
        assert.deepEqual(await offsets({ limit: 100, since: { offset: 8, epoch }, reverse: true }), [10, 9])
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
        await engine.publish('ttl', '"old"', { historySize: 100, historyTtlMs: 150 })
        await engine.publish('ttl', '"old2"', { historySize: 100, historyTtlMs: 150 })
        const keep = await engine.publish('ttl', '"new"', { historySize: 100, historyTtlMs: 60_000 })
        assert.equal((await engine.history('ttl', { limit: 10 })).publications.length, 3)
        await sleep(300)
        const r = await engine.history('ttl', { limit: 10 })
        assert.deepEqual(
          r.publications.map((p) => p.data),
          ['"new"'],
        )
        assert.deepEqual({ offset: r.offset, epoch: r.epoch }, { offset: keep.offset, epoch: keep.epoch })
      })

      test('a stream whose history all expired is empty (position kept or reset with a new epoch)', async () => {
        const { engine } = await startEngine()
        const p = await engine.publish('gone', '1', { historySize: 100, historyTtlMs: 100 })
        await sleep(300)
        const r = await engine.history('gone', { limit: 10 })
        assert.deepEqual(r.publications, [])
        if (r.epoch === p.epoch) assert.equal(r.offset, 1)
        else assert.equal(r.offset, 0)
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

    describe('fan-out', () => {
      test('only subscribed channels, in offset order, until unsubscribe', async () => {
        const { engine, rec } = await startEngine()
        await engine.subscribe('on')
        await engine.subscribe('on') // idempotent
        await Promise.all([1, 2, 3].flatMap((i) => [engine.publish('on', String(i), KEEP), engine.publish('off', String(i), KEEP)]))
        await rec.waitForCount(3)
        await sleep(30)
        assert.deepEqual(
          rec.events.map((e) => (e.type === 'publication' ? [e.channel, e.publication.offset, e.publication.data] : e.type)),
          [
            ['on', 1, '1'],
            ['on', 2, '2'],
            ['on', 3, '3'],
          ],
        )
        await engine.unsubscribe('on')
        await engine.unsubscribe('on') // idempotent
        await engine.publish('on', '4', KEEP)
        await sleep(50)
        assert.equal(rec.events.length, 3)
        await engine.subscribe('on')
        await engine.publish('on', '5', KEEP)
        await rec.waitForCount(4)
        const last = rec.publications('on').at(-1)!
        assert.deepEqual([last.publication.offset, last.position.offset], [5, 5])
      })

      test('nothing arrives after unsubscribe, not even what was published just before', async () => {
        const { engine, rec } = await startEngine()
        await engine.subscribe('race')
        const pending = engine.publish('race', '1', KEEP)
        await engine.unsubscribe('race')
        await pending
        await sleep(50)
        assert.deepEqual(rec.events, [])
      })

      test('join and leave reach subscribed channels only, in order with publications', async () => {
        const { engine, rec } = await startEngine()
        await engine.subscribe('room')
        await engine.publishJoin('room', info('c1', 'u1'))
        await engine.publish('room', '"hi"', KEEP)
        await engine.publishLeave('room', info('c1', 'u1'))
        await engine.publishJoin('elsewhere', info('c2', 'u2'))
        await rec.waitForCount(3)
        await sleep(30)
        assert.deepEqual(
          rec.events.map((e) => (e.type === 'control' ? e.type : [e.type, e.channel])),
          [
            ['join', 'room'],
            ['publication', 'room'],
            ['leave', 'room'],
          ],
        )
        const join = rec.events[0]
        assert.ok(join?.type === 'join')
        assert.deepEqual(join.info, info('c1', 'u1'))
      })

      test('control messages loop back to this node without any subscription', async () => {
        const { engine, rec } = await startEngine()
        await engine.publishControl({ kind: 'disconnect', user: 'u1' })
        await rec.waitForCount(1)
        assert.deepEqual(rec.events, [{ type: 'control', message: { kind: 'disconnect', user: 'u1' } }])
      })

      test('a handler that throws does not stop later deliveries', async () => {
        const engine = makeEngine(store)
        opened.push(engine)
        const seen: number[] = []
        const errors: unknown[] = []
        const onWarning = (w: Error): void => {
          errors.push(w)
        }
        process.on('warning', onWarning)
        try {
          await engine.start({
            onPublication: (_c, p) => {
              seen.push(p.offset)
              if (p.offset === 1) throw new Error('handler bug')
            },
            onJoin() {},
            onLeave() {},
            onControl() {},
          })
          await engine.subscribe('t')
          await engine.publish('t', '1', KEEP)
          await engine.publish('t', '2', KEEP)
          await sleep(50)
          assert.deepEqual(seen, [1, 2])
        } finally {
          process.off('warning', onWarning)
        }
      })
    })

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
        const { engine } = await startEngine()
        await engine.addPresence('exp', info('short', 'u1'), 100)
        await engine.addPresence('exp', info('kept', 'u2'), 200)
        await sleep(120)
        await engine.addPresence('exp', info('kept', 'u2'), 200) // refresh
        assert.deepEqual(Object.keys(await engine.presence('exp')), ['kept'])
        assert.deepEqual(await engine.presenceStats('exp'), { numClients: 1, numUsers: 1 })
        await sleep(120)
        assert.deepEqual(Object.keys(await engine.presence('exp')), ['kept'])
        await sleep(150)
        assert.deepEqual(await engine.presence('exp'), {})
        assert.deepEqual(await engine.presenceStats('exp'), { numClients: 0, numUsers: 0 })
      })
    })

    describe('close', () => {
      test('flushes pending publishes, then rejects every call and leaves no handles', async () => {
        const before = process.getActiveResourcesInfo().length
        const { engine } = await startEngine()
        await engine.subscribe('c')
        await engine.addPresence('c', info('c1', 'u1'), 10_000)
        const pending = engine.publish('c', '1', KEEP)
        await engine.close()
        assert.equal((await pending).offset, 1)
        await engine.close() // idempotent
        await assert.rejects(engine.publish('c', '2', KEEP), { code: 'ENGINE_CLOSED' })
        await assert.rejects(engine.history('c', { limit: 1 }), { code: 'ENGINE_CLOSED' })
        await assert.rejects(engine.presence('c'), { code: 'ENGINE_CLOSED' })
        await assert.rejects(engine.subscribe('c'), { code: 'ENGINE_CLOSED' })
        await sleep(10)
        assert.ok(process.getActiveResourcesInfo().length <= before, String(process.getActiveResourcesInfo()))
      })
    })

    describe('several nodes', { skip: capabilities.distributed ? false : `${name} is a one-node engine` }, () => {
      test('a publish on one node reaches subscribers on another, with one history', async () => {
        const a = await startEngine()
        const b = await startEngine()
        await b.engine.subscribe('x')
        const r = await a.engine.publish('x', '"from a"', KEEP)
        await b.rec.waitForCount(1)
        assert.deepEqual(b.rec.publications('x')[0]?.position, { offset: r.offset, epoch: r.epoch })
        const h = await b.engine.history('x', { limit: 10 })
        assert.deepEqual([h.offset, h.epoch], [r.offset, r.epoch])
      })

      test('control reaches every node; presence is shared', async () => {
        const a = await startEngine()
        const b = await startEngine()
        await a.engine.publishControl({ kind: 'ping' })
        await a.rec.waitForCount(1)
        await b.rec.waitForCount(1)
        await a.engine.addPresence('p', info('c1', 'u1'), 10_000)
        assert.deepEqual(Object.keys(await b.engine.presence('p')), ['c1'])
      })
    })
  })
}
