/** Keeps the engine subscribed once per node to exactly the channels with local subscribers. */
import type { Engine } from '../engine/types.js'
import type { Logger } from '../logger.js'

type State = { want: boolean; subscribed: boolean; running: Promise<void> | undefined }

/**
 * Keeps the engine subscribed to exactly the channels that have local subscribers: one engine
 * subscribe per node at the first local subscriber, one unsubscribe after the last. Each channel
 * has at most one engine call in flight; callers arriving meanwhile share it, and a change of
 * mind during the call (last subscriber left, or a new one came during the unsubscribe) is
 * applied when it returns.
 */
export class EngineSubscriptions {
  readonly #engine: Engine
  readonly #logger: Logger
  readonly #states = new Map<string, State>()

  constructor(engine: Engine, logger: Logger) {
    this.#engine = engine
    this.#logger = logger
  }

  /** Resolves once the engine delivers the channel to this node; rejects if its subscribe failed. */
  acquire(channel: string): Promise<void> {
    let state = this.#states.get(channel)
    if (state === undefined) {
      state = { want: true, subscribed: false, running: undefined }
      this.#states.set(channel, state)
    }
    state.want = true
    return this.#run(channel, state)
  }

  /** The channel has no local subscribers left. Failures are logged, not thrown. */
  release(channel: string): void {
    const state = this.#states.get(channel)
    if (state === undefined) return
    state.want = false
    this.#run(channel, state).catch((error: unknown) => {
      this.#logger.error({ err: error, channel }, 'engine unsubscribe failed')
    })
  }

  /** Waits for every engine call in flight (for shutdown). */
  async settled(): Promise<void> {
    const running = [...this.#states.values()].map((state) => state.running).filter((p) => p !== undefined)
    await Promise.allSettled(running)
  }

  #run(channel: string, state: State): Promise<void> {
    if (state.running !== undefined) return state.running
    if (state.subscribed === state.want) {
      if (!state.want) this.#states.delete(channel)
      return Promise.resolve()
    }
    state.running = this.#loop(channel, state)
    return state.running
  }

  async #loop(channel: string, state: State): Promise<void> {
    try {
      while (state.subscribed !== state.want) {
        if (state.want) {
          await this.#engine.subscribe(channel)
          state.subscribed = true
        } else {
          await this.#engine.unsubscribe(channel)
          state.subscribed = false
        }
      }
    } finally {
      // Cleared in the same tick the loop ends, so a later caller starts a fresh loop.
      state.running = undefined
      if (!state.want && !state.subscribed && this.#states.get(channel) === state) this.#states.delete(channel)
    }
  }
}
