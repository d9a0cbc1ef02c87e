import type { ClientInfo, Engine, EngineCapabilities, PublishOptions } from '../../../src/engine/types.js'
import type { EngineTuning } from '../conformance.js'
import type { Recorder } from '../recorder.js'

/** What every group of conformance cases gets from `runEngineConformance`. */
export type ConformanceContext = {
  readonly name: string
  readonly capabilities: EngineCapabilities
  /** A new engine on the current test's store, not started; closed after the test. */
  makeEngine(tuning?: EngineTuning): Engine
  /** A new engine on the current test's store, started with a fresh `Recorder`; closed after the test. */
  startEngine(tuning?: EngineTuning): Promise<{ engine: Engine; rec: Recorder }>
}

/** History kept long enough for any test. */
export const KEEP: PublishOptions = { historySize: 10_000, historyTtlMs: 60_000 }

export const info = (client: string, user: string): ClientInfo => ({ client, user })
