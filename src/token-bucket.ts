/**
 * A token bucket: up to `burst` tokens, refilled continuously at `perSecond`, starting full.
 * Each `take` spends one token if there is one. Time is passed in (milliseconds), so callers
 * choose the clock and tests can drive it.
 */
export class TokenBucket {
  readonly #perSecond: number
  readonly #burst: number
  #tokens: number
  #refilledAtMs: number

  constructor(perSecond: number, burst: number, nowMs: number) {
    this.#perSecond = perSecond
    this.#burst = burst
    this.#tokens = burst
    this.#refilledAtMs = nowMs
  }

  /** Spends one token and returns true, or returns false when the bucket is empty. */
  take(nowMs: number): boolean {
    const elapsedMs = nowMs - this.#refilledAtMs
    if (elapsedMs > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (elapsedMs * this.#perSecond) / 1000)
      this.#refilledAtMs = nowMs
    }
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
