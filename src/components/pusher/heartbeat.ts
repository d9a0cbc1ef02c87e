/**
 * Pusher's activity check, server side: one timer for every session. A session silent for
 * `activity_timeout` gets `pusher:ping`; one that then sends nothing within `pongTimeoutMs` gets
 * `pusher:error` 4201 and is closed with 4201 (pusher-js reconnects at once).
 */
import { encodePing, PusherCode } from '../../protocol/pusher/index.js'
import type { PusherSession } from './session.js'

export class Heartbeat {
  readonly #sessions: () => Iterable<PusherSession>
  readonly #activityMs: number
  readonly #pongTimeoutMs: number
  readonly #tickMs: number
  #timer: NodeJS.Timeout | undefined

  constructor(sessions: () => Iterable<PusherSession>, activityTimeoutSeconds: number, pongTimeoutMs: number) {
    this.#sessions = sessions
    this.#activityMs = activityTimeoutSeconds * 1000
    this.#pongTimeoutMs = pongTimeoutMs
    this.#tickMs = Math.max(50, Math.min(1000, Math.floor(pongTimeoutMs / 4), Math.floor(this.#activityMs / 4)))
  }

  start(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => this.sweep(Date.now()), this.#tickMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** One pass over the sessions at `nowMs`. */
  sweep(nowMs: number): void {
    for (const session of this.#sessions()) {
      if (session.pingSentAtMs === undefined) {
        if (nowMs - session.lastSeenMs >= this.#activityMs) {
          session.pingSentAtMs = nowMs
          session.send(encodePing())
        }
      } else if (nowMs - session.pingSentAtMs >= this.#pongTimeoutMs) {
        session.error(PusherCode.pongTimeout, 'Pong reply not received in time', true)
      }
    }
  }
}
