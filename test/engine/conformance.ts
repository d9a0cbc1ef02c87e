import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import type { Engine, EngineCapabilities } from '../../src/engine/types.js'
import type { ConformanceContext } from './conformance/context.js'
import { fanoutCases } from './conformance/fanout.js'
import { historyCases } from './conformance/history.js'
import { idempotencyCases } from './conformance/idempotency.js'
import { lifecycleCases } from './conformance/lifecycle.js'
import { offsetCases } from './conformance/offsets.js'
import { presenceCases } from './conformance/presence.js'
import { Recorder } from './recorder.js'

/**
 * The backing store of one test: a fresh temp dir (file engines) and a unique id (key prefix for
 * server-backed engines). Engines made on the same store share state as far as the engine keeps
 * any: that is how durability (close, reopen) and several nodes are tested.
 */
export type EngineStore = { dir: string; id: string }

/** Engine options a case may set; every engine must honour them. */
export type EngineTuning = {
  /** How long an idle stream with history keeps its offset and epoch (the engine's default when absent). */
  historyMetaTtlMs?: number
}

/** Makes an engine on `store`; may be called several times per store. Sweeps should run often (≤ 100 ms). */
export type MakeEngine = (store: EngineStore, tuning: EngineTuning) => Engine

/**
 * The Engine contract as tests, run by every engine's test file. Differences between engines are
 * the declared `capabilities` (durable: reopen keeps history and epochs; distributed: the
 * several-nodes cases run), never forked tests.
 */
export function runEngineConformance(name: string, makeEngine: MakeEngine, capabilities: EngineCapabilities): void {
  describe(`${name} engine conformance`, () => {
    let store: EngineStore
    let opened: Engine[] = []

    beforeEach(async () => {
      store = { dir: await mkdtemp(join(tmpdir(), 'sprocket-engine-')), id: randomUUID() }
    })

    afterEach(async () => {
      for (const engine of opened) await engine.close()
      opened = []
      await rm(store.dir, { recursive: true, force: true })
    })

    const ctx: ConformanceContext = {
      name,
      capabilities,
      makeEngine(tuning = {}) {
        const engine = makeEngine(store, tuning)
        opened.push(engine)
        return engine
      },
      async startEngine(tuning = {}) {
        const engine = ctx.makeEngine(tuning)
        const rec = new Recorder()
        await engine.start(rec)
        return { engine, rec }
      },
    }

    test('declares its capabilities', async () => {
      const { engine } = await ctx.startEngine()
      assert.deepEqual(engine.capabilities, capabilities)
      assert.equal(typeof engine.name, 'string')
    })

    offsetCases(ctx)
    historyCases(ctx)
    idempotencyCases(ctx)
    fanoutCases(ctx)
    presenceCases(ctx)
    lifecycleCases(ctx)
  })
}
