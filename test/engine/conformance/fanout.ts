import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep } from '../recorder.js'
import { type ConformanceContext, KEEP, info } from './context.js'

/** Fan-out to subscribed channels, join/leave, control, handler failures. */
export function fanoutCases(ctx: ConformanceContext): void {
  const { startEngine } = ctx
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
      const engine = ctx.makeEngine()
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
}
