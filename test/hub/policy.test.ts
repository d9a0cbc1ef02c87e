import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorReason } from '../../src/errors.js'
import type { Actor } from '../../src/hub/types.js'
import { RecordingSubscriber, startHub, withHistory } from './helpers.js'

const options = {
  default: { presence: true },
  namespaces: {
    open: { ...withHistory, presence: true, allowPublish: 'clients', allowHistory: 'clients', allowPresence: 'clients', anonymousAccess: true },
    subs: { ...withHistory, presence: true, allowPublish: 'subscribers' },
    locked: { ...withHistory, presence: true, allowSubscribe: false, allowHistory: 'none', allowPresence: 'none' },
    dm: { ...withHistory, presence: true, allowPublish: 'subscribers', allowSubscribe: false },
  },
} as const

const denied = { reason: ErrorReason.permissionDenied }

function actorOf(s: RecordingSubscriber): Actor {
  return { userId: s.userId, clientId: s.clientId }
}

describe('namespace policy', () => {
  it('lets the server do everything the namespace supports, actors only what it allows', async () => {
    const h = await startHub(options)
    try {
      for (const channel of ['locked:x', 'dm:#a,b', '#42', 'plain', '$open:x']) {
        await h.hub.publish(channel, { data: '{}' })
        await h.hub.presence(channel)
      }
      await h.hub.history('locked:x', { limit: 10 })
      const c = new RecordingSubscriber('carol')
      await assert.rejects(h.hub.publish('plain', { data: '{}', actor: actorOf(c) }), denied)
      await assert.rejects(h.hub.history('locked:x', { limit: 1 }, actorOf(c)), denied)
      await assert.rejects(h.hub.presence('locked:x', actorOf(c)), denied)
      await assert.rejects(h.hub.subscribe(c, 'locked:x', { info: c.info }), denied)
      await h.hub.subscribe(c, 'locked:x', { info: c.info, granted: true })
      await assert.rejects(h.hub.history('locked:x', { limit: 1 }, actorOf(c)), denied, 'allowHistory none holds even for subscribers')
    } finally {
      await h.close()
    }
  })

  it('distinguishes subscribers from other clients', async () => {
    const h = await startHub(options)
    try {
      const s = new RecordingSubscriber('sam')
      const o = new RecordingSubscriber('otto')
      await h.hub.subscribe(s, 'subs:x', { info: s.info })
      await h.hub.publish('subs:x', { data: '{}', actor: actorOf(s) })
      await h.hub.history('subs:x', { limit: 1 }, actorOf(s))
      await h.hub.presence('subs:x', actorOf(s))
      await assert.rejects(h.hub.publish('subs:x', { data: '{}', actor: actorOf(o) }), denied)
      await assert.rejects(h.hub.history('subs:x', { limit: 1 }, actorOf(o)), denied)
      await assert.rejects(h.hub.presenceStats('subs:x', actorOf(o)), denied)
      await h.hub.publish('open:x', { data: '{}', actor: actorOf(o) })
      await h.hub.history('open:x', { limit: 1 }, actorOf(o))
      await h.hub.presenceStats('open:x', actorOf(o))
    } finally {
      await h.close()
    }
  })

  it('refuses anonymous clients unless anonymousAccess, except with a grant', async () => {
    const h = await startHub(options)
    try {
      const anon = new RecordingSubscriber('')
      await assert.rejects(h.hub.subscribe(anon, 'plain', { info: anon.info }), denied)
      await h.hub.subscribe(anon, 'plain', { info: anon.info, granted: true })
      await assert.rejects(h.hub.presence('plain', actorOf(anon)), denied, 'subscribed, but anonymous')
      await h.hub.subscribe(anon, 'open:x', { info: anon.info })
      await h.hub.publish('open:x', { data: '{}', actor: actorOf(anon) })
    } finally {
      await h.close()
    }
  })

  it('keeps $ private channels to granted subscribers, even where clients may otherwise act', async () => {
    const h = await startHub(options)
    try {
      const a = new RecordingSubscriber('a')
      await assert.rejects(h.hub.subscribe(a, '$open:x', { info: a.info }), denied)
      await assert.rejects(h.hub.publish('$open:x', { data: '{}', actor: actorOf(a) }), denied)
      await assert.rejects(h.hub.history('$open:x', { limit: 1 }, actorOf(a)), denied)
      await h.hub.subscribe(a, '$open:x', { info: a.info, granted: true })
      await h.hub.publish('$open:x', { data: '{}', actor: actorOf(a) })
    } finally {
      await h.close()
    }
  })

  it('admits only listed users to user-limited channels, without a token and despite allowSubscribe off', async () => {
    const h = await startHub(options)
    try {
      const alice = new RecordingSubscriber('alice')
      const bob = new RecordingSubscriber('bob')
      const eve = new RecordingSubscriber('eve')
      await h.hub.subscribe(alice, 'dm:#alice,bob', { info: alice.info })
      await h.hub.subscribe(bob, 'dm:#alice,bob', { info: bob.info })
      await assert.rejects(h.hub.subscribe(eve, 'dm:#alice,bob', { info: eve.info }), denied)
      await h.hub.publish('dm:#alice,bob', { data: '{}', actor: actorOf(alice) })
      await h.hub.history('dm:#alice,bob', { limit: 1 }, actorOf(bob))
      await assert.rejects(h.hub.history('dm:#alice,bob', { limit: 1 }, actorOf(eve)), denied)
      await assert.rejects(h.hub.publish('dm:#alice,bob', { data: '{}', actor: actorOf(eve) }), denied)
      await h.hub.subscribe(eve, 'dm:#alice,bob', { info: eve.info, granted: true })
    } finally {
      await h.close()
    }
  })

  it('lets only its user subscribe to a personal channel, and only the server publish to it', async () => {
    const h = await startHub({ ...options, default: { allowPublish: 'subscribers', allowSubscribe: false } })
    try {
      const u = new RecordingSubscriber('42')
      const other = new RecordingSubscriber('43')
      const result = await h.hub.subscribe(u, '#42', { info: u.info })
      result.activate()
      await assert.rejects(h.hub.subscribe(other, '#42', { info: other.info }), denied)
      await assert.rejects(h.hub.publish('#42', { data: '{}', actor: actorOf(u) }), denied)
      await h.hub.publish('#42', { data: '{"dm":1}' })
      await new Promise((resolve) => setTimeout(resolve, 0))
      assert.deepEqual(u.offsets(), [1])
    } finally {
      await h.close()
    }
  })

  it('refuses malformed names (badRequest) and unknown namespaces (unknownChannel) on every operation', async () => {
    const h = await startHub(options)
    try {
      const a = new RecordingSubscriber('a')
      for (const [channel, reason] of [['nope:x', ErrorReason.unknownChannel], ['bad name', ErrorReason.badRequest]] as const) {
        await assert.rejects(h.hub.subscribe(a, channel, { info: a.info }), { reason })
        await assert.rejects(h.hub.publish(channel, { data: '{}' }), { reason })
        await assert.rejects(h.hub.history(channel, { limit: 1 }), { reason })
        await assert.rejects(h.hub.presence(channel), { reason })
        await assert.rejects(h.hub.removeHistory(channel), { reason })
        assert.throws(() => h.hub.channelOptions(channel), { reason })
      }
      assert.equal(h.hub.channelOptions('subs:x').allowPublish, 'subscribers')
    } finally {
      await h.close()
    }
  })
})

describe('publish', () => {
  it('refuses data over maxPublicationBytes (in UTF-8 bytes) as limitExceeded', async () => {
    const h = await startHub({ maxPublicationBytes: 10 })
    try {
      await h.hub.publish('room', { data: '"12345678"' })
      await assert.rejects(h.hub.publish('room', { data: '"\u00e9\u00e9\u00e9\u00e9\u00e9"' }), { reason: ErrorReason.limitExceeded })
    } finally {
      await h.close()
    }
  })

  it('a namespace may set its own maxPublicationBytes', async () => {
    const h = await startHub({ maxPublicationBytes: 1000, namespaces: { typing: { maxPublicationBytes: 16 } } })
    try {
      await h.hub.publish('typing:a', { data: '"0123456789abcd"' })
      await assert.rejects(h.hub.publish('typing:a', { data: '"0123456789abcde"' }), { reason: ErrorReason.limitExceeded })
      await h.hub.publish('other', { data: `"${'x'.repeat(900)}"` })
    } finally {
      await h.close()
    }
  })

  it('clientPublishesPerSecond: a burst per connection and namespace, then tooManyRequests; the server is never limited', async () => {
    const h = await startHub({
      namespaces: { typing: { allowPublish: 'clients', anonymousAccess: true, clientPublishesPerSecond: 1, clientPublishBurst: 2 } },
    })
    try {
      const ann = { actor: { userId: 'ann', clientId: 'c1' } }
      await h.hub.publish('typing:a', { data: '1', ...ann })
      await h.hub.publish('typing:b', { data: '2', ...ann })
      await assert.rejects(h.hub.publish('typing:a', { data: '3', ...ann }), { reason: ErrorReason.tooManyRequests })
      await h.hub.publish('typing:a', { data: '4', actor: { userId: 'ann', clientId: 'c2' } }) // her other tab
      await h.hub.publish('typing:a', { data: '5' }) // the server
      await new Promise((resolve) => setTimeout(resolve, 1100))
      await h.hub.publish('typing:a', { data: '6', ...ann })
    } finally {
      await h.close()
    }
  })

  it('passes the namespace history settings and the idempotency key to the engine', async () => {
    const h = await startHub({ namespaces: { chat: { historySize: 2, historyTtlMs: 60_000 } } })
    try {
      const first = await h.hub.publish('chat:a', { data: '1', idempotencyKey: 'k', tags: { t: 'v' }, info: { user: 'u', client: 'c' } })
      const again = await h.hub.publish('chat:a', { data: '1', idempotencyKey: 'k' })
      assert.equal(first.duplicate, false)
      assert.equal(again.duplicate, true)
      assert.equal(again.offset, first.offset)
      for (let i = 0; i < 3; i++) await h.hub.publish('chat:a', { data: `${i}` })
      const history = await h.hub.history('chat:a', { limit: 10 })
      assert.deepEqual(history.publications.map((p) => p.offset), [3, 4])
      await h.hub.publish('plain', { data: '1' })
      assert.deepEqual((await h.engine.history('plain', { limit: 10 })).publications, [])
    } finally {
      await h.close()
    }
  })
})

describe('control messages', () => {
  it('relays broadcastControl to the handlers of its kind, until they unregister', async () => {
    const h = await startHub()
    try {
      const got: unknown[] = []
      const off = h.hub.onControl('disconnect', (m) => got.push(m))
      h.hub.onControl('other', () => got.push('wrong kind'))
      h.hub.onControl('disconnect', () => {
        throw new Error('handler bug')
      })
      await h.hub.broadcastControl({ kind: 'disconnect', user: '42' })
      await new Promise((resolve) => setTimeout(resolve, 0))
      assert.deepEqual(got, [{ kind: 'disconnect', user: '42' }])
      assert.equal(h.logger.errors.length, 1)
      off()
      await h.hub.broadcastControl({ kind: 'disconnect', user: '43' })
      await new Promise((resolve) => setTimeout(resolve, 0))
      assert.equal(got.length, 1)
    } finally {
      await h.close()
    }
  })
})
