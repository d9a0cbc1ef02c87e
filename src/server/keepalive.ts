/** What the keepalive sweep needs of a connection. */
export interface KeepaliveTarget {
  /** Cleared before each ping, set again when the pong arrives. */
  alive: boolean
  ping(): void
  terminate(): void
}

/**
 * One timer for all connections: every `intervalMs` it terminates the connections that have not
 * ponged since the previous sweep and pings the rest. A dead peer is therefore dropped between
 * one and two intervals after it stopped answering.
 */
export class Keepalive<T extends KeepaliveTarget> {
  readonly #intervalMs: number
  readonly #targets: () => Iterable<T>
  readonly #onTimeout: (target: T) => void
  #timer: NodeJS.Timeout | undefined

  constructor(intervalMs: number, targets: () => Iterable<T>, onTimeout: (target: T) => void) {
    this.#intervalMs = intervalMs
    this.#targets = targets
    this.#onTimeout = onTimeout
  }

  start(): void {
    if (this.#intervalMs <= 0 || this.#timer !== undefined) return
    this.#timer = setInterval(() => this.#sweep(), this.#intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #sweep(): void {
    for (const target of this.#targets()) {
      if (!target.alive) {
        this.#onTimeout(target)
        target.terminate()
        continue
      }
      target.alive = false
      target.ping()
    }
  }
}
