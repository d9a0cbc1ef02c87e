import type { SessionIndex } from './session-index.js'

/**
 * One timer for every session of a component: each tick sends the pings that are due and
 * enforces the pong, stale and expiry deadlines (`Session.tick`). A tick costs one pass over the
 * sessions and no allocation per idle session; there are no per-connection timers.
 */
export class Housekeeper {
  readonly #index: SessionIndex
  readonly #tickMs: number
  #timer: NodeJS.Timeout | undefined

  constructor(index: SessionIndex, tickMs: number) {
    this.#index = index
    this.#tickMs = tickMs
  }

  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.tick(Date.now()), this.#tickMs)
    this.#timer.unref()
  }

  tick(nowMs: number): void {
    for (const session of this.#index.all) session.tick(nowMs)
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
