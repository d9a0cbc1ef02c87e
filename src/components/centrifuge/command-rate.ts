import { TokenBucket } from '../../token-bucket.js'

/**
 * Per-connection command rate: a token bucket (`burst` commands, refilled at `perSecond`) plus
 * a count of refusals per one-second window, so sustained abuse can be told from a burst.
 */
export class CommandRate {
  readonly #bucket: TokenBucket
  readonly #maxRejectedPerSecond: number
  #windowStartMs = 0
  #rejectedInWindow = 0

  constructor(perSecond: number, burst: number, maxRejectedPerSecond: number, nowMs: number) {
    this.#bucket = new TokenBucket(perSecond, burst, nowMs)
    this.#maxRejectedPerSecond = maxRejectedPerSecond
  }

  /**
   * Takes one token. Returns 'ok', 'refuse' (answer 111 too many requests) or 'abuse' (more
   * than `maxRejectedPerSecond` refusals within one second: close the connection).
   */
  take(nowMs: number): 'ok' | 'refuse' | 'abuse' {
    if (this.#bucket.take(nowMs)) return 'ok'
    if (nowMs - this.#windowStartMs >= 1000) {
      this.#windowStartMs = nowMs
      this.#rejectedInWindow = 0
    }
    this.#rejectedInWindow += 1
    return this.#rejectedInWindow > this.#maxRejectedPerSecond ? 'abuse' : 'refuse'
  }
}
