import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sleep } from '../recorder.js'
import { type ConformanceContext, KEEP, info } from './context.js'

/** Close (flush, rejections, no handles) and several nodes on one store. */
export function lifecycleCases(ctx: ConformanceContext): void {
  const { startEngine, capabilities, name } = ctx
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
}
