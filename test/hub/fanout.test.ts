import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CountingEncoder, RecordingSubscriber, settle, startHub } from './helpers.js'

describe('fan-out', () => {
  it('encodes each event once per format, whatever the number of subscribers, and hands out the same frame', async () => {
    const h = await startHub({ default: { presence: true, joinLeave: true } })
    const other = new CountingEncoder()
    h.hub.registerFormat('other', other)
    try {
      const subs = [
        ...Array.from({ length: 30 }, (_, i) => new RecordingSubscriber(`u${i}`, 'json')),
        ...Array.from({ length: 20 }, (_, i) => new RecordingSubscriber(`v${i}`, 'other')),
      ]
      for (const s of subs) (await h.hub.subscribe(s, 'room', { info: s.info })).activate()
      await settle()
      h.encoder.calls = 0
      other.calls = 0
      for (let i = 0; i < 5; i++) await h.hub.publish('room', { data: `{"i":${i}}` })
      await settle()
      assert.equal(h.encoder.calls, 5)
      assert.equal(other.calls, 5)
      for (let i = 0; i < 5; i++) {
        const frames = new Set(subs.filter((s) => s.format === 'json').map((s) => s.frames.at(-5 + i)))
        assert.equal(frames.size, 1)
      }
    } finally {
      await h.close()
    }
  })

  it('does not encode for formats without subscribers on the channel, nor for channels without any', async () => {
    const h = await startHub()
    const other = new CountingEncoder()
    h.hub.registerFormat('other', other)
    try {
      const a = new RecordingSubscriber('u', 'json')
      ;(await h.hub.subscribe(a, 'room', { info: a.info })).activate()
      await h.hub.publish('room', { data: '1' })
      await h.hub.publish('empty', { data: '1' })
      await settle()
      assert.equal(h.encoder.calls, 1)
      assert.equal(other.calls, 0)
    } finally {
      await h.close()
    }
  })

  it('delivers each of 100 publications to each of 1,000 subscribers exactly once, in order', async () => {
    const h = await startHub()
    try {
      const subs = Array.from({ length: 1000 }, (_, i) => new RecordingSubscriber(`u${i}`))
      for (const s of subs) (await h.hub.subscribe(s, 'room', { info: s.info })).activate()
      const published = await Promise.all(Array.from({ length: 100 }, (_, i) => h.hub.publish('room', { data: `{"n":${i}}` })))
      await settle()
      const expected = published.map((p) => p.offset)
      assert.deepEqual(expected, Array.from({ length: 100 }, (_, i) => i + 1))
      for (const s of subs) assert.deepEqual(s.offsets(), expected)
      assert.equal(h.encoder.calls, 100)
    } finally {
      await h.close()
    }
  })

  it('skips a format whose encoder returns undefined, and survives one that throws', async () => {
    const h = await startHub()
    h.hub.registerFormat('quiet', { encode: () => undefined })
    h.hub.registerFormat('broken', {
      encode: () => {
        throw new Error('encoder bug')
      },
    })
    try {
      const subs = ['quiet', 'broken', 'json'].map((format) => new RecordingSubscriber('u', format))
      for (const s of subs) (await h.hub.subscribe(s, 'room', { info: s.info })).activate()
      await h.hub.publish('room', { data: '1' })
      await settle()
      assert.deepEqual(subs.map((s) => s.frames.length), [0, 0, 1])
      assert.equal(h.logger.errors.length, 1)
    } finally {
      await h.close()
    }
  })

  it('keeps delivering to the others when one subscriber throws', async () => {
    const h = await startHub()
    try {
      const bad = new RecordingSubscriber()
      bad.deliver = () => {
        throw new Error('subscriber bug')
      }
      const good = new RecordingSubscriber()
      for (const s of [bad, good]) (await h.hub.subscribe(s, 'room', { info: s.info })).activate()
      await h.hub.publish('room', { data: '1' })
      await settle()
      assert.deepEqual(good.offsets(), [1])
      assert.equal(h.logger.errors.length, 1)
    } finally {
      await h.close()
    }
  })
})
