/**
 * Positions of channels without history, kept in memory only: a channel that stores no
 * publications has nothing worth a row in the database, and any subscriber could otherwise grow
 * the file by publishing to new names (typing indicators). Offsets still advance and epochs hold
 * while the channel is in use on this node, as the `Engine` contract asks; a restart gives such a
 * channel a new epoch, which is honest: there is no history to recover from.
 */
import type { UnknownEpochs } from '../local/unknown-epochs.js'

/** Channels without history remembered at most, beyond those subscribed on this node. */
export const MAX_VOLATILE_STREAMS = 10_000

export type VolatileStream = { top: number; epoch: string; lastUsedMs: number }

export class VolatileStreams {
  readonly #streams = new Map<string, VolatileStream>()

  constructor(
    private readonly unknownEpochs: UnknownEpochs,
    private readonly subscribed: (channel: string) => boolean,
    private readonly max = MAX_VOLATILE_STREAMS,
  ) {}

  get size(): number {
    return this.#streams.size
  }

  get(channel: string): VolatileStream | undefined {
    return this.#streams.get(channel)
  }

  /** The next offset of `channel` and its epoch (adopting the one reads reported, if any). */
  append(channel: string, nowMs: number): { offset: number; epoch: string } {
    let stream = this.#streams.get(channel)
    if (stream === undefined) {
      stream = { top: 0, epoch: this.unknownEpochs.take(channel), lastUsedMs: nowMs }
    } else {
      this.#streams.delete(channel)
    }
    stream.top++
    stream.lastUsedMs = nowMs
    this.#streams.set(channel, stream)
    if (this.#streams.size > this.max) this.#evict()
    return { offset: stream.top, epoch: stream.epoch }
  }

  /** Takes the channel's position out (it gets a row: a publish with history or an idempotency key). */
  take(channel: string): VolatileStream | undefined {
    const stream = this.#streams.get(channel)
    this.#streams.delete(channel)
    return stream
  }

  /** Puts back a position `take` handed out, when the row it went into was rolled back. */
  restore(channel: string, stream: VolatileStream): void {
    this.#streams.set(channel, stream)
  }

  /** Forgets channels unused for `idleMs` that no subscriber on this node holds a position in. */
  sweep(nowMs: number, idleMs: number): void {
    for (const [channel, stream] of this.#streams) {
      if (nowMs - stream.lastUsedMs > idleMs && !this.subscribed(channel)) this.#streams.delete(channel)
    }
  }

  /** Drops the least recently used unsubscribed channels; subscribed ones met on the way move to the back. */
  #evict(): void {
    let budget = this.#streams.size
    for (const [channel, stream] of this.#streams) {
      if (this.#streams.size <= this.max || budget-- <= 0) return
      this.#streams.delete(channel)
      if (this.subscribed(channel)) this.#streams.set(channel, stream)
    }
  }
}
