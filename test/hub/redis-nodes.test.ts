/**
 * The hub on the Redis engine, two nodes (two hubs, two engines, one Redis): join/leave once per
 * user across nodes through the engine's per-user counts (no presence listing), and subscribers
 * told to recover when their node's Redis connection comes back and the gap cannot be filled.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { Redis } from 'ioredis'
import { createRedisEngine, type RedisEngine } from '../../src/engine/redis/redis-engine.js'
import { Hub } from '../../src/hub/hub.js'
import { deleteKeys, redisSkip, redisUrl, uniquePrefix } from '../redis-server.js'
import { sleep } from '../engine/recorder.js'
import { countCalls, CountingEncoder, RecordingSubscriber } from './helpers.js'

const skip = await redisSkip()
const runPrefix = uniquePrefix('hub')
after(() => (skip ? undefined : deleteKeys(runPrefix)))

/** Leaves announced at once, so each case sees them as they happen (debounced leaves have their own tests). */
const channels = {
  leaveDebounceMs: 0,
  namespaces: {
    room: { presence: true, joinLeave: true },
    feed: { historySize: 100, historyTtlMs: 60_000 },
  },
}

describe('the hub on two Redis nodes', { skip }, () => {
  const opened: Array<{ hub: Hub; engine: RedisEngine }> = []
  after(async () => {
    for (const { hub, engine } of opened) {
      await hub.close()
      await engine.close()
    }
  })

  async function node(keyPrefix: string): Promise<{ hub: Hub; engine: RedisEngine }> {
    const engine = createRedisEngine({ url: redisUrl, keyPrefix })
    const hub = new Hub(engine, channels)
    hub.registerFormat('json', new CountingEncoder())
    await hub.start()
    opened.push({ hub, engine })
    return { hub, engine }
  }

  async function seat(hub: Hub, subscriber: RecordingSubscriber, channel: string): Promise<void> {
    const result = await hub.subscribe(subscriber, channel, { info: subscriber.info })
    result.activate()
  }

  test('a user on both nodes joins once and leaves once, decided by per-user counts', async () => {
    const prefix = `${runPrefix}.join`
    const a = await node(prefix)
    const b = await node(prefix)
    const listings = countCalls(a.engine, ['presence'])
    const listingsB = countCalls(b.engine, ['presence'])
    const watcher = new RecordingSubscriber('watcher')
    await seat(a.hub, watcher, 'room:x')
    const bobOnA = new RecordingSubscriber('bob')
    const bobOnB = new RecordingSubscriber('bob')
    await seat(a.hub, bobOnA, 'room:x')
    await seat(b.hub, bobOnB, 'room:x')
    await a.hub.unsubscribe(bobOnA, 'room:x')
    await sleep(100)
    await b.hub.unsubscribe(bobOnB, 'room:x')
    await sleep(100)
    const seen = watcher.events.flatMap((e) => (e.type === 'join' || e.type === 'leave') && e.info.user === 'bob' ? [e.type] : [])
    assert.deepEqual(seen, ['join', 'leave'])
    assert.deepEqual([listings.presence, listingsB.presence], [0, 0])
  })

  test('a user joining on two nodes at the same moment is announced once, and leaving on both at once, once', async () => {
    const prefix = `${runPrefix}.race`
    const a = await node(prefix)
    const b = await node(prefix)
    const watcher = new RecordingSubscriber('watcher')
    await seat(a.hub, watcher, 'room:race')
    for (let round = 0; round < 5; round++) {
      const onA = new RecordingSubscriber('eve')
      const onB = new RecordingSubscriber('eve')
      await Promise.all([seat(a.hub, onA, 'room:race'), seat(b.hub, onB, 'room:race')])
      await Promise.all([a.hub.unsubscribe(onA, 'room:race'), b.hub.unsubscribe(onB, 'room:race')])
    }
    await sleep(150)
    const seen = watcher.events.flatMap((e) => (e.type === 'join' || e.type === 'leave') && e.info.user === 'eve' ? [e.type] : [])
    assert.deepEqual(seen, Array.from({ length: 5 }, () => ['join', 'leave']).flat())
  })

  test('subscribers of a channel whose gap cannot be filled are told to recover', async () => {
    const prefix = `${runPrefix}.gap`
    const a = await node(prefix)
    const recoverable = new RecordingSubscriber('ann')
    await seat(a.hub, recoverable, 'feed:f')
    const plain = new RecordingSubscriber('ann')
    await seat(a.hub, plain, 'room:x')
    // Forget the channel's history and position behind the node's back, then drop its pub/sub connection.
    const admin = new Redis(redisUrl)
    try {
      await a.hub.publish('feed:f', { data: '1' })
      await sleep(50)
      for (const key of await admin.keys(`${prefix}.*`)) await admin.del(key)
      const list = String(await admin.client('LIST'))
      for (const m of list.matchAll(/id=(\d+) .*name=(\S+)/g)) if (m[2] === `${prefix}:pubsub`) await admin.client('KILL', 'ID', m[1]!)
    } finally {
      admin.disconnect()
    }
    const deadline = Date.now() + 5_000
    while (recoverable.lost.length === 0 && Date.now() < deadline) await sleep(20)
    assert.deepEqual(recoverable.lost, ['feed:f'])
    assert.deepEqual(plain.lost, [], 'a channel without history has nothing to recover')
  })
})
