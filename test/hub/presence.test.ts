import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorReason } from '../../src/errors.js'
import type { MemoryEngine } from '../../src/engine/memory/memory-engine.js'
import type { ClientInfo } from '../../src/engine/types.js'
import type { Subscriber } from '../../src/hub/types.js'
import { aroundCalls, countCalls, RecordingSubscriber, settle, startHub } from './helpers.js'

/** Makes a memory engine declare itself distributed, as a shared engine would (to test that path on one process). */
function declareDistributed(engine: MemoryEngine): void {
  Object.defineProperty(engine, 'capabilities', { value: { ...engine.capabilities, distributed: true } })
}

/** A member that ignores what it is sent. */
function quietMember(userId: string): Subscriber & { info: ClientInfo } {
  const clientId = `quiet-${userId}-${Math.random()}`
  return { clientId, userId, format: 'json', info: { user: userId, client: clientId }, deliver: () => {} }
}

const namespaces = { room: { presence: true, joinLeave: true }, quiet: { presence: true }, events: { joinLeave: true } }
/** Leaves announced at once, so each case sees them as soon as they happen (the debounce has its own cases). */
const options = { namespaces, leaveDebounceMs: 0 }

describe('debounced leaves', () => {
  const debounced = { namespaces, leaveDebounceMs: 300 }

  it('a connection churning subscribe/unsubscribe sends the other members one join and, once it stops, one leave', async () => {
    const h = await startHub(debounced)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      const churner = new RecordingSubscriber('mallory')
      for (let i = 0; i < 50; i++) {
        ;(await h.hub.subscribe(churner, 'room:a', { info: churner.info })).activate()
        await h.hub.unsubscribe(churner, 'room:a')
      }
      await settle()
      const about = (type: 'join' | 'leave') => watcher.ofType(type).filter((e) => (e.type === 'join' || e.type === 'leave') && e.info.user === 'mallory')
      assert.equal(about('join').length, 1)
      assert.equal(about('leave').length, 0, 'the leave waits out the debounce')
      await new Promise((resolve) => setTimeout(resolve, 450))
      assert.equal(about('leave').length, 1)
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 1, numUsers: 1 })
    } finally {
      await h.close()
    }
  })

  it('a reload (leave, then join within the debounce) announces nothing; a leave still pending at close is published', async () => {
    const h = await startHub(debounced)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      const before = new RecordingSubscriber('ann')
      ;(await h.hub.subscribe(before, 'room:a', { info: before.info })).activate()
      await settle()
      await h.hub.removeSubscriber(before)
      const after = new RecordingSubscriber('ann')
      ;(await h.hub.subscribe(after, 'room:a', { info: after.info })).activate()
      await new Promise((resolve) => setTimeout(resolve, 450))
      const events = watcher.events.filter((e) => (e.type === 'join' || e.type === 'leave') && e.info.user === 'ann').map((e) => e.type)
      assert.deepEqual(events, ['join'])
      await h.hub.unsubscribe(after, 'room:a')
      await h.hub.unsubscribe(watcher, 'room:a')
      const other = new RecordingSubscriber('zed')
      ;(await h.hub.subscribe(other, 'events:x', { info: other.info })).activate()
      const bob = new RecordingSubscriber('bob')
      ;(await h.hub.subscribe(bob, 'events:x', { info: bob.info })).activate()
      await h.hub.unsubscribe(bob, 'events:x')
      await h.close()
      assert.equal(other.ofType('leave').filter((e) => e.type === 'leave' && e.info.user === 'bob').length, 1, 'flushed at close')
    } finally {
      await h.close()
    }
  })
})

describe('presence and join/leave', () => {
  it('counts three connections of one user as one member: one join, and a leave only after the last', async () => {
    const h = await startHub(options)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      const conns = [0, 1, 2].map(() => new RecordingSubscriber('alice'))
      for (const c of conns) (await h.hub.subscribe(c, 'room:a', { info: c.info })).activate()
      await settle()
      const joins = watcher.ofType('join').map((e) => (e.type === 'join' ? e.info.user : ''))
      assert.deepEqual(joins, ['watcher', 'alice'])
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 4, numUsers: 2 })
      assert.equal(Object.keys(await h.hub.presence('room:a')).length, 4)

      await h.hub.unsubscribe(conns[0]!, 'room:a')
      await h.hub.removeSubscriber(conns[1]!)
      await settle()
      assert.equal(watcher.ofType('leave').length, 0)
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 2, numUsers: 2 })
      await h.hub.unsubscribe(conns[2]!, 'room:a')
      await settle()
      const leaves = watcher.ofType('leave')
      assert.equal(leaves.length, 1)
      assert.equal(leaves[0]?.type === 'leave' && leaves[0].info.user, 'alice')
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 1, numUsers: 1 })
    } finally {
      await h.close()
    }
  })

  it('announces one join when connections of one user subscribe at the same time', async () => {
    const h = await startHub(options)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      const conns = [0, 1, 2].map(() => new RecordingSubscriber('bob'))
      const results = await Promise.all(conns.map((c) => h.hub.subscribe(c, 'room:a', { info: c.info })))
      for (const r of results) r.activate()
      await settle()
      assert.equal(watcher.ofType('join').filter((e) => e.type === 'join' && e.info.user === 'bob').length, 1)
    } finally {
      await h.close()
    }
  })

  it('counts connections of the user held elsewhere in the engine (another node) before announcing', async () => {
    const h = await startHub(options, declareDistributed)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      await h.engine.addPresence('room:a', { user: 'dana', client: 'on-another-node' }, 60_000)
      const local = new RecordingSubscriber('dana')
      ;(await h.hub.subscribe(local, 'room:a', { info: local.info })).activate()
      await h.hub.unsubscribe(local, 'room:a')
      await settle()
      assert.deepEqual(watcher.events.map((e) => e.type), ['join'], 'only the watcher’s own join')
      await h.engine.removePresence('room:a', 'on-another-node')
      ;(await h.hub.subscribe(local, 'room:a', { info: local.info })).activate()
      await h.hub.unsubscribe(local, 'room:a')
      await settle()
      assert.deepEqual(watcher.events.map((e) => e.type), ['join', 'join', 'leave'])
    } finally {
      await h.close()
    }
  })

  it('asks a single-node engine nothing when 5,000 users join and leave: the local count is the truth', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub(options, (engine) => {
      counts = countCalls(engine, ['presence'])
    })
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:big', { info: watcher.info })).activate()
      // Every join reaches every member, so members that keep nothing keep the test light.
      const users = Array.from({ length: 5000 }, (_, i) => quietMember(`user-${i}`))
      for (const u of users) (await h.hub.subscribe(u, 'room:big', { info: u.info })).activate()
      const twin = quietMember('user-0')
      ;(await h.hub.subscribe(twin, 'room:big', { info: twin.info })).activate()
      await settle()
      assert.equal(counts.presence, 0, 'no presence scan per join')
      assert.equal(watcher.ofType('join').length, 5001, 'one join per user, none for a second connection')
      for (const u of users) await h.hub.unsubscribe(u, 'room:big')
      await settle()
      assert.equal(counts.presence, 0, 'no presence scan per leave')
      assert.equal(watcher.ofType('leave').length, 4999, 'user-0 still has a connection')
      assert.deepEqual(await h.hub.presenceStats('room:big'), { numClients: 2, numUsers: 2 })
    } finally {
      await h.close()
    }
  })

  it('asks a distributed engine about other nodes only when the user has no local connection', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub(options, (engine) => {
      declareDistributed(engine)
      counts = countCalls(engine, ['presence'])
    })
    try {
      const a1 = new RecordingSubscriber('ann')
      const a2 = new RecordingSubscriber('ann')
      await h.hub.subscribe(a1, 'room:a', { info: a1.info })
      assert.equal(counts.presence, 1, 'first local connection: the engine is asked')
      await h.hub.subscribe(a2, 'room:a', { info: a2.info })
      assert.equal(counts.presence, 1, 'a local connection answers')
      await h.hub.unsubscribe(a1, 'room:a')
      assert.equal(counts.presence, 1)
      await h.hub.unsubscribe(a2, 'room:a')
      assert.equal(counts.presence, 2, 'last local leave: the engine is asked')
    } finally {
      await h.close()
    }
  })

  it('treats each anonymous connection as its own member', async () => {
    const h = await startHub({ namespaces: { room: { presence: true, joinLeave: true, anonymousAccess: true } } })
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      for (let i = 0; i < 2; i++) {
        const anon = new RecordingSubscriber('')
        ;(await h.hub.subscribe(anon, 'room:a', { info: anon.info })).activate()
      }
      await settle()
      assert.equal(watcher.ofType('join').length, 3)
    } finally {
      await h.close()
    }
  })

  it('delivers the subscriber’s own join after activate, and none on namespaces without joinLeave', async () => {
    const h = await startHub(options)
    try {
      const a = new RecordingSubscriber('a')
      const result = await h.hub.subscribe(a, 'room:a', { info: a.info })
      assert.equal(result.joinLeave, true)
      await settle()
      assert.equal(a.events.length, 0)
      result.activate()
      assert.equal(a.ofType('join').length, 1)

      const q = new RecordingSubscriber('q')
      const quiet = await h.hub.subscribe(q, 'quiet:a', { info: q.info })
      quiet.activate()
      assert.equal(quiet.joinLeave, false)
      const r = new RecordingSubscriber('r')
      ;(await h.hub.subscribe(r, 'quiet:a', { info: r.info })).activate()
      await h.hub.unsubscribe(r, 'quiet:a')
      await settle()
      assert.equal(q.events.length, 0)
      assert.equal(Object.keys(await h.hub.presence('quiet:a')).length, 1)
    } finally {
      await h.close()
    }
  })

  it('keeps join/leave per user on joinLeave namespaces without readable presence', async () => {
    const h = await startHub(options)
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'events:a', { info: watcher.info })).activate()
      const c1 = new RecordingSubscriber('carol')
      const c2 = new RecordingSubscriber('carol')
      for (const c of [c1, c2]) (await h.hub.subscribe(c, 'events:a', { info: c.info })).activate()
      await h.hub.unsubscribe(c1, 'events:a')
      await settle()
      assert.deepEqual(watcher.events.map((e) => e.type), ['join', 'join'])
      await assert.rejects(h.hub.presence('events:a'), { reason: ErrorReason.notAvailable })
      await assert.rejects(h.hub.presenceStats('plain'), { reason: ErrorReason.notAvailable })
    } finally {
      await h.close()
    }
  })

  it('undoes presence when a subscribe fails: no leave without a join, a leave after one', async () => {
    let failPresence = false
    let failHistory = false
    let counts: Record<string, number> = {}
    const h = await startHub({ ...options, presenceTtlMs: 1000 }, (engine) => {
      aroundCalls(engine, 'addPresence', {
        before: () => {
          if (failPresence) throw new Error('presence backend down')
        },
      })
      aroundCalls(engine, 'history', {
        before: () => {
          if (failHistory) throw new Error('history backend down')
        },
      })
      counts = countCalls(engine, ['addPresence'])
    })
    try {
      const watcher = new RecordingSubscriber('watcher')
      ;(await h.hub.subscribe(watcher, 'room:a', { info: watcher.info })).activate()
      const a = new RecordingSubscriber('erin')
      failPresence = true
      await assert.rejects(h.hub.subscribe(a, 'room:a', { info: a.info }), /presence backend down/)
      failPresence = false
      failHistory = true
      await assert.rejects(h.hub.subscribe(a, 'room:a', { info: a.info }), /history backend down/)
      failHistory = false
      await settle()
      assert.deepEqual(watcher.events.map((e) => e.type), ['join', 'join', 'leave'])
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 1, numUsers: 1 })
      const before = counts.addPresence!
      await settle(400)
      assert.equal(counts.addPresence! - before, 1, 'only the watcher’s entry is refreshed')
    } finally {
      await h.close()
    }
  })

  it('removes presence entries on unsubscribe and on close', async () => {
    const h = await startHub(options)
    const a = new RecordingSubscriber('a')
    const b = new RecordingSubscriber('b')
    await h.hub.subscribe(a, 'room:a', { info: a.info })
    await h.hub.subscribe(b, 'room:a', { info: b.info })
    await h.hub.unsubscribe(a, 'room:a')
    assert.deepEqual(Object.keys(await h.engine.presence('room:a')), [b.clientId])
    await h.hub.close()
    assert.deepEqual(await h.engine.presence('room:a'), {})
    await h.engine.close()
  })
})

describe('presence refresh and expiry', () => {
  it('refreshes every entry at a third of the TTL with one timer, so entries outlive the TTL', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({ ...options, presenceTtlMs: 1000 }, (engine) => {
      counts = countCalls(engine, ['addPresence'])
    })
    try {
      const a = new RecordingSubscriber('a')
      const b = new RecordingSubscriber('b')
      await h.hub.subscribe(a, 'room:a', { info: a.info })
      await h.hub.subscribe(b, 'quiet:a', { info: b.info })
      assert.equal(counts.addPresence, 2)
      await settle(1500)
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 1, numUsers: 1 })
      assert.deepEqual(await h.hub.presenceStats('quiet:a'), { numClients: 1, numUsers: 1 })
      // 4 refresh rounds (333, 666, 999, 1332 ms) of 2 entries each, give or take a round of timer drift.
      assert.ok(counts.addPresence! >= 2 + 2 * 3 && counts.addPresence! <= 2 + 2 * 5, `addPresence calls: ${counts.addPresence}`)
    } finally {
      await h.close()
    }
  })

  it('lets an entry expire when its refreshes stop reaching the engine', async () => {
    let dropRefresh = false
    const h = await startHub({ ...options, presenceTtlMs: 1000 }, (engine) => {
      aroundCalls(engine, 'addPresence', {
        before: () => {
          if (dropRefresh) throw new Error('backend unreachable')
        },
      })
    })
    try {
      const a = new RecordingSubscriber('a')
      await h.hub.subscribe(a, 'room:a', { info: a.info })
      dropRefresh = true
      await settle(1200)
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 0, numUsers: 0 })
      assert.ok(h.logger.warnings.length >= 1)
      dropRefresh = false
      await settle(400)
      assert.deepEqual(await h.hub.presenceStats('room:a'), { numClients: 1, numUsers: 1 }, 'the next refresh restores it')
    } finally {
      await h.close()
    }
  })
})
