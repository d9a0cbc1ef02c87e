import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorReason } from '../../src/errors.js'
import { aroundCalls, countCalls, RecordingSubscriber, settle, startHub } from './helpers.js'

describe('engine subscriptions per node', () => {
  it('subscribes the engine once for many local subscribers and unsubscribes after the last', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({}, (engine) => {
      counts = countCalls(engine, ['subscribe', 'unsubscribe'])
    })
    try {
      const subs = Array.from({ length: 50 }, () => new RecordingSubscriber())
      await Promise.all(subs.map((s) => h.hub.subscribe(s, 'room', { info: s.info })))
      assert.equal(counts.subscribe, 1)
      assert.equal(h.hub.channels().get('room'), 50)
      for (const s of subs.slice(0, 49)) await h.hub.unsubscribe(s, 'room')
      assert.equal(counts.unsubscribe, 0)
      await h.hub.unsubscribe(subs[49]!, 'room')
      await settle()
      assert.equal(counts.unsubscribe, 1)
      assert.equal(h.hub.channels().has('room'), false)
    } finally {
      await h.close()
    }
  })

  it('shares one in-flight engine subscribe between concurrent first subscribers', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({}, (engine) => {
      aroundCalls(engine, 'subscribe', { before: () => settle(20) })
      counts = countCalls(engine, ['subscribe'])
    })
    try {
      const a = new RecordingSubscriber()
      const b = new RecordingSubscriber()
      const [ra, rb] = await Promise.all([h.hub.subscribe(a, 'room', { info: a.info }), h.hub.subscribe(b, 'room', { info: b.info })])
      assert.equal(counts.subscribe, 1)
      ra.activate()
      rb.activate()
      await h.hub.publish('room', { data: '{}' })
      await settle()
      assert.deepEqual(a.offsets(), [1])
      assert.deepEqual(b.offsets(), [1])
    } finally {
      await h.close()
    }
  })

  it('resubscribes the engine when a subscriber arrives during the last one’s engine unsubscribe', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({}, (engine) => {
      aroundCalls(engine, 'unsubscribe', { before: () => settle(20) })
      counts = countCalls(engine, ['subscribe', 'unsubscribe'])
    })
    try {
      const a = new RecordingSubscriber()
      ;(await h.hub.subscribe(a, 'room', { info: a.info })).activate()
      await h.hub.unsubscribe(a, 'room') // engine unsubscribe now in flight for 20 ms
      const b = new RecordingSubscriber()
      ;(await h.hub.subscribe(b, 'room', { info: b.info })).activate()
      await settle(40) // past the delayed engine unsubscribe
      assert.equal(counts.unsubscribe, 1)
      assert.equal(counts.subscribe, 2)
      await h.hub.publish('room', { data: '{}' })
      await settle()
      assert.deepEqual(b.offsets(), [1])
      assert.deepEqual(a.offsets(), [])
    } finally {
      await h.close()
    }
  })

  it('applies an unsubscribe sent during the subscribe after it, and leaves the engine unsubscribed', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({}, (engine) => {
      aroundCalls(engine, 'subscribe', { before: () => settle(20) })
      counts = countCalls(engine, ['subscribe', 'unsubscribe'])
    })
    try {
      const a = new RecordingSubscriber()
      const subscribing = h.hub.subscribe(a, 'room', { info: a.info })
      const unsubscribing = h.hub.unsubscribe(a, 'room')
      const result = await subscribing
      await unsubscribing
      result.activate()
      await settle()
      assert.equal(h.hub.channelsOf(a).size, 0)
      assert.equal(counts.subscribe, 1)
      assert.equal(counts.unsubscribe, 1)
      await h.hub.publish('room', { data: '{}' })
      await settle()
      assert.deepEqual(a.offsets(), [])
    } finally {
      await h.close()
    }
  })

  it('removes a subscriber from every channel on disconnect', async () => {
    const h = await startHub({ namespaces: { chat: {} } })
    try {
      const a = new RecordingSubscriber()
      const b = new RecordingSubscriber()
      for (const channel of ['x', 'y', 'chat:z']) {
        ;(await h.hub.subscribe(a, channel, { info: a.info })).activate()
      }
      ;(await h.hub.subscribe(b, 'x', { info: b.info })).activate()
      assert.deepEqual([...h.hub.channelsOf(a)].sort(), ['chat:z', 'x', 'y'])
      await h.hub.removeSubscriber(a)
      assert.equal(h.hub.channelsOf(a).size, 0)
      assert.deepEqual([...h.hub.channels()], [['x', 1]])
      await h.hub.removeSubscriber(a)
      await h.hub.unsubscribe(a, 'x')
    } finally {
      await h.close()
    }
  })

  it('fails the subscribe and frees the seat when the engine subscribe fails', async () => {
    let fail = true
    const h = await startHub({}, (engine) => {
      aroundCalls(engine, 'subscribe', {
        before: () => {
          if (fail) throw new Error('backend down')
        },
      })
    })
    try {
      const a = new RecordingSubscriber()
      await assert.rejects(h.hub.subscribe(a, 'room', { info: a.info }), /backend down/)
      assert.equal(h.hub.channelsOf(a).size, 0)
      assert.equal(h.hub.channels().size, 0)
      fail = false
      ;(await h.hub.subscribe(a, 'room', { info: a.info })).activate()
      await h.hub.publish('room', { data: '{}' })
      await settle()
      assert.deepEqual(a.offsets(), [1])
    } finally {
      await h.close()
    }
  })
})

describe('subscription limits', () => {
  it('refuses a second subscribe to the same channel (alreadySubscribed)', async () => {
    const h = await startHub()
    try {
      const a = new RecordingSubscriber()
      await h.hub.subscribe(a, 'room', { info: a.info })
      await assert.rejects(h.hub.subscribe(a, 'room', { info: a.info }), { reason: ErrorReason.alreadySubscribed })
    } finally {
      await h.close()
    }
  })

  it('refuses channels past maxChannelsPerConnection (limitExceeded), counting subscribes in flight', async () => {
    const h = await startHub({ maxChannelsPerConnection: 3 })
    try {
      const a = new RecordingSubscriber()
      await Promise.all(['a', 'b', 'c'].map((ch) => h.hub.subscribe(a, ch, { info: a.info })))
      await assert.rejects(h.hub.subscribe(a, 'd', { info: a.info }), { reason: ErrorReason.limitExceeded })
      const b = new RecordingSubscriber()
      const pending = ['a', 'b', 'c'].map((ch) => h.hub.subscribe(b, ch, { info: b.info }))
      await assert.rejects(h.hub.subscribe(b, 'd', { info: b.info }), { reason: ErrorReason.limitExceeded })
      await Promise.all(pending)
      await h.hub.unsubscribe(a, 'a')
      await h.hub.subscribe(a, 'd', { info: a.info })
    } finally {
      await h.close()
    }
  })

  it('refuses work after close (notAvailable) and leaves nothing subscribed', async () => {
    let counts: Record<string, number> = {}
    const h = await startHub({}, (engine) => {
      counts = countCalls(engine, ['subscribe', 'unsubscribe'])
    })
    const a = new RecordingSubscriber()
    await h.hub.subscribe(a, 'room', { info: a.info })
    await h.hub.close()
    assert.equal(counts.unsubscribe, 1)
    assert.equal(h.hub.channels().size, 0)
    await assert.rejects(h.hub.subscribe(a, 'room', { info: a.info }), { reason: ErrorReason.notAvailable })
    await assert.rejects(h.hub.publish('room', { data: '{}' }), { reason: ErrorReason.notAvailable })
    await h.hub.close()
    await h.engine.close()
  })
})
