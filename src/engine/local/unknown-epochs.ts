/**
 * Epochs of channels that have no stream yet, bounded, so reads of any name do not grow an engine.
 */
import { randomBytes } from 'node:crypto'

/**
 * A fresh epoch: 8 random bytes, base64url (11 characters). Clients compare epochs for equality
 * only, so the value just has to differ from every earlier epoch of the channel.
 */
export function newEpoch(): string {
  return randomBytes(8).toString('base64url')
}

/** Epochs remembered for unknown channels at most, beyond those subscribed on the node. */
export const MAX_UNKNOWN_EPOCHS = 4096

/**
 * Epochs reported for channels that have no stream (read or subscribed, never published), so a
 * read stores no stream: any client can read any name, and that must not grow the engine.
 *
 * A read reports offset 0 and `peek(channel)`; the first publish creates the stream with
 * `take(channel)`, which adopts the epoch reported before, so a subscriber that saw (0, E) gets
 * offset 1 in epoch E. Bounded: at most `max` epochs are kept (least recently read dropped
 * first), except those of channels `pinned` names (subscribed on this node), which stay, so
 * their subscribers' epoch always holds; a dropped one only means a reader of an empty channel
 * sees its epoch change, with nothing to lose.
 */
export class UnknownEpochs {
  readonly #epochs = new Map<string, string>()
  readonly #max: number
  readonly #pinned: (channel: string) => boolean

  constructor(pinned: (channel: string) => boolean, max = MAX_UNKNOWN_EPOCHS) {
    this.#pinned = pinned
    this.#max = max
  }

  get size(): number {
    return this.#epochs.size
  }

  /** The epoch to report for the unknown channel: the same one on every read while remembered. */
  peek(channel: string): string {
    let epoch = this.#epochs.get(channel)
    if (epoch !== undefined) {
      this.#epochs.delete(channel)
    } else {
      epoch = newEpoch()
    }
    this.#epochs.set(channel, epoch)
    if (this.#epochs.size > this.#max) this.#evict()
    return epoch
  }

  /** The epoch a new stream starts with: the one reported for the channel, or a fresh one. */
  take(channel: string): string {
    const epoch = this.#epochs.get(channel)
    if (epoch === undefined) return newEpoch()
    this.#epochs.delete(channel)
    return epoch
  }

  clear(): void {
    this.#epochs.clear()
  }

  /** Drops the least recently read unpinned epochs; pinned ones met on the way move to the back. */
  #evict(): void {
    let budget = this.#epochs.size
    for (const [channel, epoch] of this.#epochs) {
      if (this.#epochs.size <= this.#max || budget-- <= 0) return
      this.#epochs.delete(channel)
      if (this.#pinned(channel)) this.#epochs.set(channel, epoch)
    }
  }
}
