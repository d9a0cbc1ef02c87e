import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HistoryResult, Publication } from '../../src/engine/types.js'
import { ErrorReason } from '../../src/errors.js'
import { evaluateRecovery } from '../../src/hub/recovery.js'
import { aroundCalls, RecordingSubscriber, settle, startHub, withHistory } from './helpers.js'

function pubs(...offsets: number[]): Publication[] {
  return offsets.map((offset) => ({ offset, data: '{}', timeMs: 0 }))
}
function history(offset: number, epoch: string, publications: Publication[]): HistoryResult {
  return { offset, epoch, publications }
}

describe('evaluateRecovery', () => {
  it('recovers a complete gap with the client’s own offset', () => {
    const outcome = evaluateRecovery({ offset: 3, epoch: 'E' }, history(5, 'E', pubs(4, 5)), 11)
    assert.equal(outcome.recovered, true)
    assert.deepEqual(outcome.publications.map((p) => p.offset), [4, 5])
    assert.deepEqual(outcome.position, { offset: 3, epoch: 'E' })
    assert.deepEqual(outcome.top, { offset: 5, epoch: 'E' })
  })

  it('recovers nothing missed, and accepts an empty epoch', () => {
    assert.equal(evaluateRecovery({ offset: 5, epoch: 'E' }, history(5, 'E', []), 11).recovered, true)
    assert.equal(evaluateRecovery({ offset: 3, epoch: '' }, history(4, 'E', pubs(4)), 11).recovered, true)
  })

  it('refuses partial recovery: trimmed start, other epoch, too many, client ahead', () => {
    const cases: Array<[number, HistoryResult]> = [
      [3, history(6, 'E', pubs(5, 6))],
      [3, history(5, 'F', [])],
      [0, history(11, 'E', pubs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))],
      [9, history(5, 'E', [])],
      [3, history(4, 'E', [])],
    ]
    for (const [offset, result] of cases) {
      const outcome = evaluateRecovery({ offset, epoch: 'E' }, result, 11)
      assert.equal(outcome.recovered, false)
      assert.deepEqual(outcome.publications, [])
      assert.deepEqual(outcome.position, { offset: result.offset, epoch: result.epoch })
    }
  })
})

describe('recovery through the hub', () => {
  const options = { namespaces: { chat: withHistory, small: { historySize: 3, historyTtlMs: 60_000 } }, maxHistoryPage: 10 }

  it('returns the missed publications exactly once, then continues live without duplicates', async () => {
    const h = await startHub(options)
    try {
      for (let i = 0; i < 2; i++) await h.hub.publish('chat:a', { data: `{"i":${i}}` })
      const a = new RecordingSubscriber()
      const first = await h.hub.subscribe(a, 'chat:a', { info: a.info })
      first.activate()
      assert.equal(first.recoverable, true)
      assert.deepEqual(first.position.offset, 2)
      await h.hub.unsubscribe(a, 'chat:a')
      for (let i = 0; i < 4; i++) await h.hub.publish('chat:a', { data: `{"i":${i}}` })

      const again = await h.hub.subscribe(a, 'chat:a', { info: a.info, since: first.position })
      assert.equal(again.recovered, true)
      assert.deepEqual(again.publications.map((p) => p.offset), [3, 4, 5, 6])
      assert.deepEqual(again.position, first.position)
      again.activate()
      await h.hub.publish('chat:a', { data: '{}' })
      await settle()
      assert.deepEqual(a.offsets(), [7])
    } finally {
      await h.close()
    }
  })

  it('says recovered:false with no publications and the current top when history was trimmed', async () => {
    const h = await startHub(options)
    try {
      const a = new RecordingSubscriber()
      const first = await h.hub.subscribe(a, 'small:a', { info: a.info })
      await h.hub.unsubscribe(a, 'small:a')
      for (let i = 0; i < 5; i++) await h.hub.publish('small:a', { data: '{}' })
      const again = await h.hub.subscribe(a, 'small:a', { info: a.info, since: first.position })
      assert.equal(again.recovered, false)
      assert.deepEqual(again.publications, [])
      assert.deepEqual(again.position, { offset: 5, epoch: first.position.epoch })
    } finally {
      await h.close()
    }
  })

  it('says recovered:false when the epoch changed, or more than maxHistoryPage were missed', async () => {
    const h = await startHub(options)
    try {
      await h.hub.publish('chat:a', { data: '{}' })
      const a = new RecordingSubscriber()
      const stale = await h.hub.subscribe(a, 'chat:a', { info: a.info, since: { offset: 0, epoch: 'gone' } })
      assert.equal(stale.recovered, false)
      assert.deepEqual(stale.publications, [])
      assert.equal(stale.position.offset, 1)
      assert.notEqual(stale.position.epoch, 'gone')
      await h.hub.unsubscribe(a, 'chat:a')

      for (let i = 0; i < 11; i++) await h.hub.publish('chat:a', { data: '{}' })
      const tooMany = await h.hub.subscribe(a, 'chat:a', { info: a.info, since: stale.position })
      assert.equal(tooMany.recovered, false)
      assert.deepEqual(tooMany.publications, [])
      assert.equal(tooMany.position.offset, 12)
      await h.hub.unsubscribe(a, 'chat:a')

      const exactlyTen = await h.hub.subscribe(a, 'chat:a', { info: a.info, since: { offset: 2, epoch: stale.position.epoch } })
      assert.equal(exactlyTen.recovered, true)
      assert.equal(exactlyTen.publications.length, 10)
    } finally {
      await h.close()
    }
  })

  it('does not recover on a namespace without history', async () => {
    const h = await startHub(options)
    try {
      await h.hub.publish('plain', { data: '{}' })
      const a = new RecordingSubscriber()
      const result = await h.hub.subscribe(a, 'plain', { info: a.info, since: { offset: 0, epoch: '' } })
      assert.equal(result.recoverable, false)
      assert.equal(result.recovered, false)
      assert.deepEqual(result.publications, [])
      assert.equal(result.position.offset, 1)
    } finally {
      await h.close()
    }
  })

  it('holds publications made during the subscribe and delivers after activate those not in the result, once each', async () => {
    let stage = false
    let hub!: import('../../src/hub/hub.js').Hub
    const h = await startHub(options, (engine) => {
      // Publish twice before and twice after the recovery read, while the subscribe is in flight.
      aroundCalls(engine, 'history', {
        before: async (_ch, query) => {
          if (stage && (query as { limit: number }).limit > 0) for (let i = 0; i < 2; i++) await hub.publish('chat:a', { data: '{}' })
        },
        after: async (_ch, query) => {
          if (stage && (query as { limit: number }).limit > 0) {
            stage = false
            for (let i = 0; i < 2; i++) await hub.publish('chat:a', { data: '{}' })
          }
        },
      })
    })
    hub = h.hub
    try {
      for (let i = 0; i < 3; i++) await h.hub.publish('chat:a', { data: '{}' })
      const a = new RecordingSubscriber()
      stage = true
      const result = await h.hub.subscribe(a, 'chat:a', { info: a.info, since: { offset: 1, epoch: '' } })
      await settle()
      assert.deepEqual(a.offsets(), [], 'nothing before activate')
      assert.equal(result.recovered, true)
      assert.deepEqual(result.publications.map((p) => p.offset), [2, 3, 4, 5])
      result.activate()
      assert.deepEqual(a.offsets(), [6, 7])
      result.activate()
      await h.hub.publish('chat:a', { data: '{}' })
      await settle()
      assert.deepEqual(a.offsets(), [6, 7, 8])
    } finally {
      await h.close()
    }
  })

  it('without recovery, delivers after activate only what followed the position it returned', async () => {
    let hub!: import('../../src/hub/hub.js').Hub
    let stage = false
    const h = await startHub({}, (engine) => {
      aroundCalls(engine, 'history', {
        before: async () => {
          if (stage) await hub.publish('room', { data: '{}' })
        },
        after: async () => {
          if (stage) {
            stage = false
            await hub.publish('room', { data: '{}' })
          }
        },
      })
    })
    hub = h.hub
    try {
      const a = new RecordingSubscriber()
      stage = true
      const result = await h.hub.subscribe(a, 'room', { info: a.info })
      await settle()
      assert.equal(result.position.offset, 1)
      result.activate()
      assert.deepEqual(a.offsets(), [2])
    } finally {
      await h.close()
    }
  })

  it('tells a subscriber whose setup buffer overflowed that its stream was lost', async () => {
    const h = await startHub({ maxPendingEvents: 2 })
    try {
      const a = new RecordingSubscriber()
      const result = await h.hub.subscribe(a, 'room', { info: a.info })
      for (let i = 0; i < 3; i++) await h.hub.publish('room', { data: '{}' })
      await settle()
      result.activate()
      assert.deepEqual(a.lost, ['room'])
      assert.deepEqual(a.offsets(), [])
    } finally {
      await h.close()
    }
  })
})

describe('live stream gaps', () => {
  it('tells a subscriber of a recoverable channel that its stream was lost when the engine skips an offset', async () => {
    const h = await startHub({ namespaces: { chat: withHistory } }, (engine) => {
      // A node that misses one publication (delivery between nodes is at most once).
      const start = engine.start.bind(engine)
      engine.start = (handler) =>
        start({
          ...handler,
          onPublication: (channel, publication, position) => {
            if (position.offset !== 3) handler.onPublication(channel, publication, position)
          },
        })
    })
    try {
      const a = new RecordingSubscriber()
      const plain = new RecordingSubscriber()
      ;(await h.hub.subscribe(a, 'chat:a', { info: a.info })).activate()
      ;(await h.hub.subscribe(plain, 'plain', { info: plain.info })).activate()
      for (let i = 0; i < 5; i++) {
        await h.hub.publish('chat:a', { data: '{}' })
        await h.hub.publish('plain', { data: '{}' })
      }
      await settle()
      assert.deepEqual(a.lost, ['chat:a'])
      assert.deepEqual(a.offsets(), [1, 2, 5])
      assert.deepEqual(plain.lost, [], 'channels without recovery are not positioned')
      assert.deepEqual(plain.offsets(), [1, 2, 4, 5])
    } finally {
      await h.close()
    }
  })
})

describe('history through the hub', () => {
  it('lowers the limit to maxHistoryPage, refuses a stale epoch (unrecoverablePosition) and history-less namespaces (notAvailable)', async () => {
    const h = await startHub({ namespaces: { chat: withHistory }, maxHistoryPage: 3 })
    try {
      for (let i = 0; i < 5; i++) await h.hub.publish('chat:a', { data: `${i}` })
      const page = await h.hub.history('chat:a', { limit: 100 })
      assert.equal(page.publications.length, 3)
      assert.equal(page.offset, 5)
      const since = await h.hub.history('chat:a', { limit: 10, since: { offset: 3, epoch: '' } })
      assert.deepEqual(since.publications.map((p) => p.offset), [4, 5])
      await assert.rejects(h.hub.history('chat:a', { limit: 1, since: { offset: 1, epoch: 'old' } }), { reason: ErrorReason.unrecoverablePosition })
      await assert.rejects(h.hub.history('chat:a', { limit: -1 }), { reason: ErrorReason.badRequest })
      await assert.rejects(h.hub.history('plain', { limit: 1 }), { reason: ErrorReason.notAvailable })
      await h.hub.removeHistory('chat:a')
      const emptied = await h.hub.history('chat:a', { limit: 10 })
      assert.deepEqual(emptied.publications, [])
      assert.equal(emptied.offset, 5)
    } finally {
      await h.close()
    }
  })
})
