/**
 * Limits per client address, so one address cannot take the whole server: open connections, and
 * handshakes per second (a token bucket per address). State is kept only for addresses that have
 * connections open or handshakes to pay back, so memory follows live clients, not every address
 * ever seen.
 */
import { TokenBucket } from '../token-bucket.js'

export type AddressLimitOptions = {
  /** Open connections one address may hold; 0: no limit. */
  maxConnectionsPerAddress: number
  /** Handshakes per second one address may make, with a burst of as many; 0: no limit. */
  handshakesPerSecondPerAddress: number
}

/** How often buckets of addresses that stopped connecting are dropped. */
const PRUNE_INTERVAL_MS = 10_000

export class AddressLimits {
  readonly #open = new Map<string, number>()
  readonly #handshakes = new Map<string, { bucket: TokenBucket; lastMs: number }>()
  #prunedAtMs = Date.now()

  constructor(private readonly options: AddressLimitOptions) {}

  /** True when `address` may make another handshake now (and spends one). */
  admitHandshake(address: string, nowMs: number = Date.now()): boolean {
    const perSecond = this.options.handshakesPerSecondPerAddress
    if (perSecond <= 0) return true
    this.#prune(nowMs)
    let entry = this.#handshakes.get(address)
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(perSecond, perSecond, nowMs), lastMs: nowMs }
      this.#handshakes.set(address, entry)
    }
    entry.lastMs = nowMs
    return entry.bucket.take(nowMs)
  }

  /** True when `address` holds fewer connections than allowed. */
  hasRoom(address: string): boolean {
    const max = this.options.maxConnectionsPerAddress
    return max <= 0 || (this.#open.get(address) ?? 0) < max
  }

  opened(address: string): void {
    this.#open.set(address, (this.#open.get(address) ?? 0) + 1)
  }

  closed(address: string): void {
    const count = (this.#open.get(address) ?? 0) - 1
    if (count > 0) this.#open.set(address, count)
    else this.#open.delete(address)
  }

  /** Addresses tracked (for tests and metrics): with open connections, and with handshake buckets. */
  get tracked(): { open: number; handshakes: number } {
    return { open: this.#open.size, handshakes: this.#handshakes.size }
  }

  /** Drops buckets that have refilled completely: their address is as if never seen. */
  #prune(nowMs: number): void {
    if (nowMs - this.#prunedAtMs < PRUNE_INTERVAL_MS) return
    this.#prunedAtMs = nowMs
    const refillMs = 1000
    for (const [address, entry] of this.#handshakes) {
      if (nowMs - entry.lastMs >= refillMs) this.#handshakes.delete(address)
    }
  }
}
