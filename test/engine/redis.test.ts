/**
 * The Redis engine: the conformance suite (two nodes sharing one Redis for the cross-node cases),
 * plus what only a distributed engine on a server can get wrong: key layout, batching, presence
 * counts across nodes, and Redis going away and coming back.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { createEngine } from '../../src/engine/index.js'
import { createRedisEngine, RedisEngine } from '../../src/engine/redis/redis-engine.js'
import { deleteKeys, freePort, redisSkip, redisUrl, RedisProcess, uniquePrefix } from '../redis-server.js'
import { runEngineConformance } from './conformance.js'
import { Recorder, sleep } from './recorder.js'

const skip = await redisSkip()
const runPrefix = uniquePrefix('engine')
after(() => (skip ? undefined : deleteKeys(runPrefix)))

const KEEP = { historySize: 10_000, historyTtlMs: 60_000 }

const root = new URL('../../', import.meta.url)
const built = existsSync(new URL('dist/engine/redis/redis-engine.js', root))

test('the build ships every Lua script next to the compiled engine', { skip: built || process.env.CI === 'true' ? false : 'dist/ is not built (npm run build)' }, () => {
  const source = new URL('src/engine/redis/lua/', root)
  const names = readdirSync(source).filter((name) => name.endsWith('.lua'))
  assert.ok(names.length >= 5)
  for (const name of names) {
    assert.ok(existsSync(new URL(`dist/engine/redis/lua/${name}`, root)), `dist/engine/redis/lua/${name}`)
    // Every script says what its KEYS and ARGV are.
    assert.match(readFileSync(new URL(name, source), 'utf8'), /KEYS\[1\]/, `${name} has a KEYS header`)
  }
})

if (skip === false) {
  runEngineConformance('redis', (store, tuning) => createRedisEngine({ url: redisUrl, keyPrefix: `${runPrefix}.${store.id}`, ...tuning }), {
    durable: true,
    distributed: true,
  })
}

describe('redis engine', { skip }, () => {
  const engines: RedisEngine[] = []
  after(async () => {
    for (const engine of engines) await engine.close()
  })

  async function open(keyPrefix: string, url = redisUrl, rec = new Recorder()): Promise<{ engine: RedisEngine; rec: Recorder }> {
    const engine = createRedisEngine({ url, keyPrefix, connectTimeoutMs: 2_000, commandTimeoutMs: 1_000 })
    engines.push(engine)
    await engine.start(rec)
    return { engine, rec }
  }

  test('createEngine builds it when asked (imported on demand)', async () => {
    const engine = await createEngine({ type: 'redis', redis: { url: redisUrl, keyPrefix: `${runPrefix}.create` } }, { dataDir: '/nonexistent' })
    assert.ok(engine instanceof RedisEngine)
    await engine.start(new Recorder())
    assert.equal((await engine.publish('c', '1', KEEP)).offset, 1)
    await engine.close()
  })

  test('every key of a channel shares one hash tag under the prefix, even for names with braces', async () => {
    const prefix = `${runPrefix}.keys`
    const { engine } = await open(prefix)
    const channel = '}odd{name}'
    await engine.publish(channel, '1', { ...KEEP, idempotencyKey: 'k', idempotencyWindowMs: 60_000 })
    await engine.addPresence(channel, { client: 'c1', user: 'u1' }, 10_000)
    const client = new Redis(redisUrl)
    try {
      const keys = await client.keys(`${prefix}*`)
      assert.equal(keys.length, 6, keys.join(' '))
      const tags = new Set(keys.map((key) => /\{([0-9a-f]{16})\}/.exec(key)?.[1]))
      assert.equal(tags.size, 1)
      assert.ok(!tags.has(undefined))
      assert.ok(keys.every((key) => key.startsWith(`${prefix}.`)))
    } finally {
      client.disconnect()
    }
  })

  test('concurrent publishes share round trips (well under one per publish)', async () => {
    const { engine } = await open(`${runPrefix}.batch`)
    const before = engine.stats
    await Promise.all(Array.from({ length: 2000 }, (_, i) => engine.publish(`b${i % 20}`, String(i), KEEP)))
    const roundTrips = engine.stats.roundTrips - before.roundTrips
    assert.ok(roundTrips <= 20, `${roundTrips} round trips for 2,000 publishes`)
  })

  test('channels subscribed in one turn share one SUBSCRIBE; an unsubscribe before it leaves is honoured', async () => {
    const server = new RedisProcess(await freePort())
    await server.start()
    try {
      const { engine, rec } = await open(`${runPrefix}.subbatch`, server.url)
      const admin = new Redis(server.url)
      const subscribeCalls = async (): Promise<number> => Number(/cmdstat_subscribe:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)
      try {
        const before = await subscribeCalls()
        const all = Array.from({ length: 300 }, (_, i) => engine.subscribe(`s${i}`))
        const dropped = engine.unsubscribe('s7')
        await Promise.all([...all, dropped])
        assert.equal((await subscribeCalls()) - before, 1)
        await engine.publish('s7', '"no"', KEEP)
        await engine.publish('s299', '"yes"', KEEP)
        await rec.waitForCount(1)
        await sleep(50)
        assert.deepEqual(rec.publications().map((e) => e.channel), ['s299'])
        const channels = (await admin.call('PUBSUB', 'CHANNELS', `${runPrefix}.subbatch.client.*`)) as string[]
        assert.equal(channels.length, 299, 'the channel unsubscribed before its SUBSCRIBE left is not subscribed in Redis')
      } finally {
        admin.disconnect()
      }
    } finally {
      await server.kill()
    }
  })

  test('presence counts users once across nodes, and one user lookup needs no scan', async () => {
    const prefix = `${runPrefix}.presence`
    const a = await open(prefix)
    const b = await open(prefix)
    await a.engine.addPresence('room', { client: 'a1', user: 'ann' }, 10_000)
    await b.engine.addPresence('room', { client: 'b1', user: 'ann' }, 10_000)
    await b.engine.addPresence('room', { client: 'b2', user: 'bob' }, 10_000)
    assert.deepEqual(await a.engine.presenceStats('room'), { numClients: 3, numUsers: 2 })
    assert.equal(await a.engine.userConnections('room', 'ann'), 2)
    await a.engine.removePresence('room', 'a1')
    assert.equal(await b.engine.userConnections('room', 'ann'), 1)
    await b.engine.removePresence('room', 'b1')
    assert.equal(await b.engine.userConnections('room', 'ann'), 0)
    assert.deepEqual(await a.engine.presenceStats('room'), { numClients: 1, numUsers: 1 })
  })

  test('start fails with a coded error when Redis is unreachable', async () => {
    const port = await freePort()
    const engine = createRedisEngine({ url: `redis://127.0.0.1:${port}`, keyPrefix: `${runPrefix}.down`, connectTimeoutMs: 300 })
    await assert.rejects(engine.start(new Recorder()), { code: 'ENGINE_UNAVAILABLE', reason: 'unavailable' })
    await engine.close()
  })

  test('a dropped subscriber connection resubscribes and fills the gap from history, in order, once', async () => {
    const prefix = `${runPrefix}.fill`
    const a = await open(prefix)
    const b = await open(prefix)
    await b.engine.subscribe('f')
    await a.engine.publish('f', '1', KEEP)
    await b.rec.waitForCount(1)
    const admin = new Redis(redisUrl)
    try {
      const list = await admin.client('LIST')
      const id = /id=(\d+) .*name=(\S+)/g
      const ids = [...String(list).matchAll(id)].filter((m) => m[2] === `${prefix}:pubsub`).map((m) => m[1]!)
      assert.equal(ids.length, 2)
      // b's subscriber goes first; the other is a's.
      for (const subId of ids) await admin.client('KILL', 'ID', subId)
    } finally {
      admin.disconnect()
    }
    const missed = await Promise.all([2, 3, 4].map((i) => a.engine.publish('f', String(i), KEEP)))
    const deadline = Date.now() + 5_000
    while (b.engine.stats.resyncs === 0 && Date.now() < deadline) await sleep(20)
    await a.engine.publish('f', '5', KEEP)
    await b.rec.waitForCount(5)
    await sleep(50)
    assert.deepEqual(
      b.rec.events.map((e) => (e.type === 'publication' ? e.publication.data : e.type)),
      ['1', '2', '3', '4', '5'],
    )
    assert.equal(b.engine.stats.resyncs, 1)
    assert.deepEqual(missed.map((r) => r.offset), [2, 3, 4])
  })

  test('a subscriber connection dropped again and again under steady publishing: every publication once, in order, no gap', async () => {
    const prefix = `${runPrefix}.flap`
    const a = await open(prefix)
    const b = await open(prefix)
    await b.engine.subscribe('flap')
    let publishing = true
    let published = 0
    const publisher = (async () => {
      while (publishing) {
        await a.engine.publish('flap', String(++published), KEEP)
        await sleep(3)
      }
    })()
    const admin = new Redis(redisUrl)
    try {
      for (let round = 0; round < 4; round++) {
        await sleep(120)
        const list = String(await admin.client('LIST'))
        const ids = [...list.matchAll(/id=(\d+) .*name=(\S+)/g)].filter((m) => m[2] === `${prefix}:pubsub`).map((m) => m[1]!)
        // Only b subscribes channels; a's subscriber carries control alone. Kill both: b's matters.
        for (const id of ids) await admin.client('KILL', 'ID', id)
      }
    } finally {
      admin.disconnect()
    }
    await sleep(300)
    publishing = false
    await publisher
    const deadline = Date.now() + 5_000
    while (b.rec.publications('flap').length < published && Date.now() < deadline) await sleep(20)
    await sleep(50)
    assert.ok(b.engine.stats.resyncs >= 2, `${b.engine.stats.resyncs} resyncs`)
    assert.deepEqual(b.rec.events.filter((e) => e.type === 'gap'), [])
    assert.deepEqual(
      b.rec.publications('flap').map((e) => e.publication.offset),
      Array.from({ length: published }, (_, i) => i + 1),
    )
  })

  test('a full Redis (maxmemory, noeviction) refuses publishes with a coded error; reads keep working', async () => {
    const server = new RedisProcess(await freePort(), ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'])
    await server.start()
    try {
      const { engine } = await open(`${runPrefix}.oom`, server.url)
      const big = JSON.stringify('x'.repeat(16_384))
      let refused: unknown
      let stored = 0
      for (let i = 0; i < 2_000 && refused === undefined; i++) {
        await engine.publish(`full${i % 10}`, big, KEEP).then(
          () => void stored++,
          (error: unknown) => {
            refused = error
          },
        )
      }
      assert.ok(refused !== undefined, `never refused after ${stored} publishes`)
      assert.equal((refused as { code?: string }).code, 'ENGINE_UNAVAILABLE')
      const h = await engine.history('full0', { limit: 1 })
      assert.ok(h.offset > 0)
      assert.equal(h.publications.length, 1)
    } finally {
      await server.kill()
    }
  })

  test('Redis restarted: calls fail while it is down, then every channel is subscribed again and the gap reported', async () => {
    const server = new RedisProcess(await freePort())
    await server.start()
    try {
      const prefix = `${runPrefix}.restart`
      const a = await open(prefix, server.url)
      const b = await open(prefix, server.url)
      await b.engine.subscribe('quiet')
      await b.engine.subscribe('busy')
      const first = await a.engine.publish('busy', '1', KEEP)
      await b.rec.waitForCount(1)

      await server.kill()
      await sleep(50)
      await assert.rejects(a.engine.publish('busy', '2', KEEP), { code: 'ENGINE_UNAVAILABLE' })
      await assert.rejects(a.engine.history('busy', { limit: 10 }), { code: 'ENGINE_UNAVAILABLE' })
      await assert.rejects(a.engine.presence('busy'), { code: 'ENGINE_UNAVAILABLE' })

      await server.start()
      // Without persistence everything is gone: the next publish starts a new epoch.
      let after: { offset: number; epoch: string } | undefined
      for (let i = 0; i < 100 && after === undefined; i++) {
        after = await a.engine.publish('busy', '2', KEEP).catch(() => undefined)
        if (after === undefined) await sleep(50)
      }
      assert.ok(after !== undefined, 'publish never succeeded after the restart')
      assert.equal(after.offset, 1)
      assert.notEqual(after.epoch, first.epoch)
      // b resubscribed: the new publication arrives, and both channels were reported as possibly gapped.
      const deadline = Date.now() + 5_000
      while (b.engine.stats.resyncs === 0 && Date.now() < deadline) await sleep(20)
      assert.equal(b.engine.stats.resyncs, 1)
      const third = await a.engine.publish('busy', '3', KEEP)
      while (!b.rec.publications('busy').some((e) => e.publication.data === '3') && Date.now() < deadline) await sleep(20)
      assert.deepEqual(b.rec.publications('busy').at(-1)?.position, { offset: third.offset, epoch: after.epoch })
      const gaps = b.rec.events.flatMap((e) => (e.type === 'gap' ? [e.channel] : []))
      assert.deepEqual(gaps.sort(), ['busy', 'quiet'])
      // The gap comes before any publication of the new epoch.
      const busy = b.rec.events.filter((e) => e.type !== 'control' && e.channel === 'busy')
      assert.deepEqual(busy.slice(0, 2).map((e) => e.type), ['publication', 'gap'])
      assert.ok(busy.slice(2).every((e) => e.type === 'publication' && e.position.epoch === after!.epoch))
    } finally {
      await server.kill()
    }
  })

  test('kill -9 of Redis with appendfsync always during 128-in-flight publishes: every acknowledged one is in history, gap-free, same epoch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-redis-aof-'))
    const server = new RedisProcess(await freePort(), ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always'])
    await server.start()
    try {
      const { engine } = await open(`${runPrefix}.aof`, server.url)
      const acked = new Map<number, string>()
      const failed: unknown[] = []
      let epoch = ''
      let sent = 0
      let killed = false
      const worker = async (): Promise<void> => {
        while (!killed) {
          const data = String(sent++)
          try {
            const r = await engine.publish('durable', data, KEEP)
            acked.set(r.offset, data)
            epoch = r.epoch
          } catch (error) {
            failed.push(error)
            if (killed) return
          }
        }
      }
      const workers = Array.from({ length: 128 }, worker)
      while (acked.size < 1_000) await sleep(5)
      killed = true
      await server.kill()
      await Promise.all(workers)
      assert.ok(failed.length > 0, 'some publishes were in flight when Redis died')
      for (const error of failed) assert.equal((error as { code?: string }).code, 'ENGINE_UNAVAILABLE')

      await server.start()
      let history: Awaited<ReturnType<RedisEngine['history']>> | undefined
      for (let i = 0; i < 100 && history === undefined; i++) {
        history = await engine.history('durable', { limit: 10_000 }).catch(() => undefined)
        if (history === undefined) await sleep(50)
      }
      assert.ok(history !== undefined)
      assert.equal(history.epoch, epoch)
      const offsets = history.publications.map((p) => p.offset)
      assert.deepEqual(offsets, Array.from({ length: offsets.length }, (_, i) => i + 1), 'gap-free from 1')
      for (const [offset, data] of acked) assert.equal(history.publications[offset - 1]?.data, data, `acknowledged offset ${offset}`)
      assert.equal(history.offset, offsets.length)
    } finally {
      await server.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('through Redis Sentinel: connects to the master and follows a failover, history and epoch kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-sentinel-'))
    const master = new RedisProcess(await freePort())
    const replica = new RedisProcess(await freePort())
    const sentinelPort = await freePort()
    const configFile = join(dir, 'sentinel.conf')
    writeFileSync(configFile, '')
    const sentinel = RedisProcess.sentinel(sentinelPort, configFile)
    try {
      await master.start()
      await replica.start()
      const admin = new Redis(replica.url)
      await admin.replicaof('127.0.0.1', master.port)
      admin.disconnect()
      writeFileSync(
        configFile,
        [
          `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
          'sentinel down-after-milliseconds mymaster 1000',
          'sentinel failover-timeout mymaster 5000',
          '',
        ].join('\n'),
      )
      await sentinel.start()
      const engine = createRedisEngine({ url: 'redis://ignored:1', sentinels: [`127.0.0.1:${sentinelPort}`], keyPrefix: `${runPrefix}.sentinel` })
      engines.push(engine)
      await engine.start(new Recorder())
      const first = await engine.publish('s', '"before"', KEEP)
      const ask = new Redis({ port: sentinelPort, host: '127.0.0.1' })
      try {
        // Wait until the replica has caught up, then fail over to it.
        const replicated = new Redis(replica.url)
        try {
          for (let i = 0; i < 100; i++) {
            if ((await replicated.keys(`${runPrefix}.sentinel.*`)).length >= 2) break
            await sleep(50)
          }
        } finally {
          replicated.disconnect()
        }
        // A fresh sentinel needs a moment to see the replica online (NOGOODSLAVE until then).
        let failover: unknown
        for (let i = 0; i < 150; i++) {
          failover = await ask.call('SENTINEL', 'FAILOVER', 'mymaster').catch((error: Error) => error)
          if (!(failover instanceof Error)) break
          await sleep(200)
        }
        assert.ok(!(failover instanceof Error), `SENTINEL FAILOVER: ${String(failover)}`)
        let promoted = false
        for (let i = 0; i < 300 && !promoted; i++) {
          const addr = (await ask.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[]
          promoted = Number(addr[1]) === replica.port
          if (!promoted) await sleep(100)
        }
        assert.ok(promoted, 'the sentinel promoted the replica')
      } finally {
        ask.disconnect()
      }
      let after: { offset: number; epoch: string } | undefined
      for (let i = 0; i < 400 && after === undefined; i++) {
        after = await engine.publish('s', '"after"', KEEP).catch(() => undefined)
        if (after === undefined) await sleep(50)
      }
      assert.deepEqual(after, { offset: 2, epoch: first.epoch, duplicate: false })
      const onNewMaster = new Redis(replica.url)
      try {
        assert.equal(await onNewMaster.call('ROLE').then((r) => (r as string[])[0]), 'master')
      } finally {
        onNewMaster.disconnect()
      }
      const history = await engine.history('s', { limit: 10 })
      assert.deepEqual(history.publications.map((p) => p.data), ['"before"', '"after"'])
    } finally {
      await sentinel.kill()
      await replica.kill()
      await master.kill()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
