/**
 * One timer per component for pings, pong and expiry deadlines of every session (no per-connection timers).
 */
import { DisconnectCode } from '../../protocol/centrifuge/index.js'
import type { Logger } from '../../logger.js'
import type { Session } from './session.js'
import type { SessionIndex } from './session-index.js'

/**
 * One timer for every session of a component: each tick sends the pings that are due and
 * enforces the pong, stale and expiry deadlines (`Session.tick`). A tick costs one pass over the
 * sessions and no allocation per idle session; there are no per-connection timers.
 *
 * A session whose `tick` throws (our bug) is logged and closed with 3004; the other sessions are
 * still ticked, and nothing escapes the timer (an exception there would end the process).
 */
export class Housekeeper {
  readonly #index: SessionIndex
  readonly #tickMs: number
  readonly #logger: Logger
  #timer: NodeJS.Timeout | undefined

  constructor(index: SessionIndex, tickMs: number, logger: Logger) {
    this.#index = index
    this.#tickMs = tickMs
    this.#logger = logger
  }

  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.tick(Date.now()), this.#tickMs)
    this.#timer.unref()
  }

  /** Ticks every session; never throws. */
  tick(nowMs: number): void {
    for (const session of this.#index.all) {
      try {
        session.tick(nowMs)
      } catch (error) {
        this.#fail(session, error)
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #fail(session: Session, error: unknown): void {
    const context = { client: session.clientId, user: session.userId, state: session.state }
    this.#logger.error({ err: error, ...context }, 'session tick failed; closing the connection')
    try {
      session.close(DisconnectCode.internal)
    } catch (closeError) {
      this.#logger.error({ err: closeError, ...context }, 'closing a session after a failed tick failed')
      session.markClosed()
    }
  }
}
