import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createEngine } from '../../src/engine/index.js'
import { MAX_UNKNOWN_EPOCHS } from '../../src/engine/local/unknown-epochs.js'
import { createMemoryEngine, MemoryEngine } from '../../src/engine/memory/memory-engine.js'
import { runEngineConformance } from './conformance.js'
import { Recorder, sleep } from './recorder.js'

runEngineConformance('memory', (_store, tuning) => createMemoryEngine({ sweepIntervalMs: 50, ...tuning }), { durable: false, distributed: false })

test('createEngine builds the memory engine when asked', async () => {
  const engine = await createEngine({ type: 'memory' }, { dataDir: '/nonexistent' })
  assert.ok(engine instanceof MemoryEngine)
  await engine.close()
})

test('the sweep forgets a stream idle and empty past its meta TTL (new epoch next time)', async () => {
  const engine = createMemoryEngine({ sweepIntervalMs: 20, historyMetaTtlMs: 50 })
  await engine.start(new Recorder())
  const first = await engine.publish('idle', '1', { historySize: 10, historyTtlMs: 50 })
  await sleep(150)
  const after = await engine.history('idle', { limit: 10 })
  assert.notEqual(after.epoch, first.epoch)
  assert.equal(after.offset, 0)
  await engine.close()
})

test('reading or subscribing 10,000 unknown channels stores no stream and keeps memory bounded', async () => {
  const engine = createMemoryEngine({ sweepIntervalMs: 20 })
  await engine.start(new Recorder())
  for (let i = 0; i < 10_000; i++) {
    if (i % 10 === 0) await engine.subscribe(`sub${i}`)
    await engine.history(i % 10 === 0 ? `sub${i}` : `unknown${i}`, { limit: 10 })
    if (i % 10 === 0) await engine.unsubscribe(`sub${i}`)
  }
  await engine.removeHistory('unknown-removed')
  const { streams, unknownEpochs } = engine.stats
  assert.equal(streams, 0)
  assert.ok(unknownEpochs <= MAX_UNKNOWN_EPOCHS, `${unknownEpochs} epochs`)
  await engine.close()
})
