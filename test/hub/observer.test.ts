import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RecordingSubscriber, settle, startHub } from './helpers.js'

/** Leaves announced at once, so each case sees them as they happen (the debounce has its own tests). */
const options = { leaveDebounceMs: 0, namespaces: { room: { presence: true, joinLeave: true } } }

describe('hub observers (what webhooks report)', () => {
  it('reports occupied on the first local subscriber, vacated after the last, joins and leaves per user', async () => {
    const h = await startHub(options)
    try {
      const seen: string[] = []
      const stop = h.hub.observe({
        onOccupied: (channel) => seen.push(`occupied ${channel}`),
        onVacated: (channel) => seen.push(`vacated ${channel}`),
        onJoin: (channel, info) => seen.push(`join ${channel} ${info.user}`),
        onLeave: (channel, info) => seen.push(`leave ${channel} ${info.user}`),
      })
      const tab1 = new RecordingSubscriber('alice')
      const tab2 = new RecordingSubscriber('alice')
      const bob = new RecordingSubscriber('bob')
      for (const s of [tab1, tab2, bob]) (await h.hub.subscribe(s, 'room:a', { info: s.info })).activate()
      ;(await h.hub.subscribe(bob, 'plain', { info: bob.info })).activate()
      await h.hub.removeSubscriber(tab1)
      await h.hub.removeSubscriber(bob)
      await h.hub.removeSubscriber(tab2)
      await settle()
      // Per channel, in order; bob's two channels are removed concurrently.
      assert.deepEqual(seen.filter((line) => line.includes('room:a')), [
        'occupied room:a',
        'join room:a alice',
        'join room:a bob',
        'leave room:a bob',
        'vacated room:a',
        'leave room:a alice',
      ])
      assert.deepEqual(seen.filter((line) => line.includes('plain')), ['occupied plain', 'vacated plain'])
      stop()
      ;(await h.hub.subscribe(bob, 'plain', { info: bob.info })).activate()
      assert.equal(seen.length, 8)
    } finally {
      await h.close()
    }
  })

  it('an observer that throws is logged and does not stop the others or the subscribe', async () => {
    const h = await startHub(options)
    try {
      const seen: string[] = []
      h.hub.observe({ onOccupied: () => { throw new Error('boom') } })
      h.hub.observe({ onOccupied: (channel) => seen.push(channel) })
      const s = new RecordingSubscriber('u')
      ;(await h.hub.subscribe(s, 'x', { info: s.info })).activate()
      assert.deepEqual(seen, ['x'])
    } finally {
      await h.close()
    }
  })
})
