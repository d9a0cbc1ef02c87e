/**
 * A fixed-budget limiter per key (a user id, an address): at most `limit` hits in any
 * `windowMs`, counted with a sliding log. Memory stays bounded: a key's log holds at most
 * `limit` timestamps, and idle keys are dropped on the next sweep.
 */
export class SlidingWindowLimit {
  readonly limit: number
  readonly windowMs: number
  #hits = new Map<string, number[]>()
  #lastSweepMs = 0

  constructor(limit: number, windowMs: number) {
    this.limit = limit
    this.windowMs = windowMs
  }

  /** Records a hit and returns true, or returns false (recording nothing) when over budget. */
  take(key: string, nowMs: number = Date.now()): boolean {
    this.#sweep(nowMs)
    const since = nowMs - this.windowMs
    const log = (this.#hits.get(key) ?? []).filter((timeMs) => timeMs > since)
    if (log.length >= this.limit) {
      this.#hits.set(key, log)
      return false
    }
    log.push(nowMs)
    this.#hits.set(key, log)
    return true
  }

  #sweep(nowMs: number): void {
    if (nowMs - this.#lastSweepMs < this.windowMs) return
    this.#lastSweepMs = nowMs
    for (const [key, log] of this.#hits) {
      if ((log[log.length - 1] ?? 0) <= nowMs - this.windowMs) this.#hits.delete(key)
    }
  }
}
