/**
 * The rate at which one connection may publish into one namespace (`clientPublishesPerSecond`),
 * so a subscriber of a namespace clients publish to (typing indicators) cannot flood its other
 * subscribers. A token bucket per connection and namespace; buckets that have refilled are
 * dropped, so memory follows the connections publishing now.
 */
import { TokenBucket } from '../token-bucket.js'

/** How often refilled buckets are looked for. */
const PRUNE_INTERVAL_MS = 10_000

type Entry = { bucket: TokenBucket; lastMs: number; refillMs: number }

export class ClientPublishRate {
  readonly #entries = new Map<string, Entry>()
  #prunedAtMs = Date.now()

  /** True when `clientId` may publish into `namespace` now (and spends one publish). */
  admit(clientId: string, namespace: string, perSecond: number, burst: number, nowMs: number = Date.now()): boolean {
    if (perSecond <= 0) return true
    this.#prune(nowMs)
    const key = `${namespace}\u0000${clientId}`
    let entry = this.#entries.get(key)
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(perSecond, burst, nowMs), lastMs: nowMs, refillMs: (burst / perSecond) * 1000 }
      this.#entries.set(key, entry)
    }
    entry.lastMs = nowMs
    return entry.bucket.take(nowMs)
  }

  /** Buckets kept (for tests). */
  get size(): number {
    return this.#entries.size
  }

  #prune(nowMs: number): void {
    if (nowMs - this.#prunedAtMs < PRUNE_INTERVAL_MS) return
    this.#prunedAtMs = nowMs
    for (const [key, entry] of this.#entries) {
      if (nowMs - entry.lastMs >= entry.refillMs) this.#entries.delete(key)
    }
  }
}
