/**
 * Holds "gone" webhook events (`channel_vacated`, `member_removed`) for a while: if the matching
 * "back" event (`channel_occupied`, `member_added`) comes first, both are dropped, so a page
 * reload or a reconnect reports nothing (as Pusher does).
 */

export class Debouncer {
  readonly #delayMs: number
  readonly #pending = new Map<string, NodeJS.Timeout>()

  constructor(delayMs: number) {
    this.#delayMs = delayMs
  }

  /** Sends `emit` after the delay unless `back(key)` comes first. A second `gone` for a pending key is ignored. */
  gone(key: string, emit: () => void): void {
    if (this.#delayMs === 0) {
      emit()
      return
    }
    if (this.#pending.has(key)) return
    const timer = setTimeout(() => {
      this.#pending.delete(key)
      emit()
    }, this.#delayMs)
    timer.unref()
    this.#pending.set(key, timer)
  }

  /** True when a pending `gone` was cancelled: the caller then drops its "back" event too. */
  back(key: string): boolean {
    const timer = this.#pending.get(key)
    if (timer === undefined) return false
    clearTimeout(timer)
    this.#pending.delete(key)
    return true
  }

  /** Sends nothing more. */
  close(): void {
    for (const timer of this.#pending.values()) clearTimeout(timer)
    this.#pending.clear()
  }
}
