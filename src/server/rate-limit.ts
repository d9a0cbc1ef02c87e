import { CloseError } from './close-error.js'
import { TokenBucket } from '../token-bucket.js'
import type { Component, Conn } from './types.js'

/** Close code of a connection over its `RateLimit`: 1008, policy violation. */
export const RATE_LIMIT_CLOSE_CODE = 1008

export type RateLimitOptions = {
  /** Messages per second one connection may sustain (the bucket's refill rate). */
  messagesPerSecond: number
  /** Messages one connection may send at once (the bucket's size). Default: `messagesPerSecond`, at least 1. */
  burst?: number
  /** Close code for a connection over the limit. Default 1008 (policy violation); 4000–4999 for your own. */
  closeCode?: number
}

/**
 * A `Component` decorator that limits how fast each connection may send messages:
 * `new RateLimit(new Chat(), { messagesPerSecond: 5, burst: 20 })`.
 *
 * Each connection has its own token bucket (kept in a `WeakMap` keyed by its `Conn`, made at its
 * first message, so the decorated component's `onOpen` runs untouched). A message within the
 * limit is passed on; the first message over it is not: it is the peer's mistake, a
 * `CloseError` that the server's one catch turns into a close with `closeCode` (1008 by
 * default) and a warn log line. The other callbacks pass straight
 * through, so `onClose` reaches the decorated component exactly once, with that code.
 */
export class RateLimit implements Component {
  readonly #inner: Component
  readonly #perSecond: number
  readonly #burst: number
  readonly #closeCode: number
  readonly #buckets = new WeakMap<Conn, TokenBucket>()

  constructor(inner: Component, options: RateLimitOptions) {
    const { messagesPerSecond, burst = Math.max(1, messagesPerSecond), closeCode = RATE_LIMIT_CLOSE_CODE } = options
    if (!(messagesPerSecond > 0) || !Number.isFinite(messagesPerSecond)) throw new RangeError('messagesPerSecond must be a positive number')
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('burst must be at least 1')
    this.#inner = inner
    this.#perSecond = messagesPerSecond
    this.#burst = burst
    this.#closeCode = closeCode
  }

  onOpen(conn: Conn): void | Promise<void> {
    return this.#inner.onOpen(conn)
  }

  onMessage(conn: Conn, data: string | Uint8Array, isBinary: boolean): void | Promise<void> {
    const nowMs = performance.now()
    let bucket = this.#buckets.get(conn)
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#perSecond, this.#burst, nowMs)
      this.#buckets.set(conn, bucket)
    }
    if (!bucket.take(nowMs)) throw new CloseError(this.#closeCode, 'message rate limit exceeded')
    return this.#inner.onMessage(conn, data, isBinary)
  }

  onClose(conn: Conn, code: number, reason: string): void | Promise<void> {
    this.#buckets.delete(conn)
    return this.#inner.onClose(conn, code, reason)
  }

  onError(conn: Conn, error: Error): void | Promise<void> {
    return this.#inner.onError(conn, error)
  }
}
