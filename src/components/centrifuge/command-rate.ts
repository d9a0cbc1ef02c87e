/**
 * Per-connection command rate: a token bucket (`burst` commands, refilled at `perSecond`) plus
 * a count of refusals per one-second window, so sustained abuse can be told from a burst.
 */
export class CommandRate {
  readonly #perSecond: number
  readonly #burst: number
  readonly #maxRejectedPerSecond: number
  #tokens: number
  #refilledAtMs: number
  #windowStartMs = 0
  #rejectedInWindow = 0

  constructor(perSecond: number, burst: number, maxRejectedPerSecond: number, nowMs: number) {
    this.#perSecond = perSecond
    this.#burst = burst
    this.#maxRejectedPerSecond = maxRejectedPerSecond
    this.#tokens = burst
    this.#refilledAtMs = nowMs
  }

  /**
   * Takes one token. Returns 'ok', 'refuse' (answer 111 too many requests) or 'abuse' (more
   * than `maxRejectedPerSecond` refusals within one second: close the connection).
   */
  take(nowMs: number): 'ok' | 'refuse' | 'abuse' {
    const elapsedMs = nowMs - this.#refilledAtMs
    if (elapsedMs > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#perSecond) / 1000)
      this.#refilledAtMs = nowMs
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1
      return 'ok'
    }
    if (nowMs - this.#windowStartMs >= 1000) {
      this.#windowStartMs = nowMs
      this.#rejectedInWindow = 0
    }
    this.#rejectedInWindow += 1
    return this.#rejectedInWindow > this.#maxRejectedPerSecond ? 'abuse' : 'refuse'
  }
}
