/**
 * The node's end of Redis pub/sub: one subscriber connection, each channel subscribed once, frames
 * decoded and handed to the local fan-out, and after a reconnect every channel subscribed again
 * and its gap filled from history (or reported).
 */
import type { Redis } from 'ioredis'
import type { Logger } from '../../logger.js'
import type { LocalFanout } from '../local/local-fanout.js'
import type { ControlMessage, HistoryResult, Publication, StreamPosition } from '../types.js'
import { decodeFrame, type Frame } from './frame.js'
import type { RedisKeys } from './redis-keys.js'

/** Reads a channel's publications after `since` (the engine's `history`). */
export type ReadSince = (channel: string, since: StreamPosition, limit: number) => Promise<HistoryResult>

export type RedisDeliveryOptions = {
  /** Most publications read per channel to fill a gap after a reconnect; a longer gap is reported. */
  gapFillLimit: number
  /** Most channels in one SUBSCRIBE when resubscribing after a reconnect. */
  resubscribeBatch: number
}

/**
 * Delivery of channel frames and control messages from Redis to this node's `LocalFanout`.
 *
 * - `subscribe` adds the channel to the fan-out first, then queues it for the next SUBSCRIBE:
 *   channels subscribed in the same event-loop turn share one command. It rejects (and forgets
 *   the channel) when Redis is unreachable. The fan-out's channel set is the one truth of
 *   what this node wants.
 * - The `message` handler only decodes and hands over synchronously; it never awaits.
 * - The last position delivered per channel is kept. When the subscriber connection comes back,
 *   every subscribed channel is subscribed again (batches of `resubscribeBatch`), then each
 *   channel's missed publications are read from history and delivered in offset order, live
 *   frames of that channel waiting behind the fill. When the fill cannot close the gap (no known
 *   position, another epoch, more than `gapFillLimit` missed, history trimmed or unreadable),
 *   the fan-out is told with `gap(channel)`, so the hub makes subscribers recover.
 */
export class RedisDelivery {
  readonly #sub: Redis
  readonly #keys: RedisKeys
  readonly #fanout: LocalFanout
  readonly #readSince: ReadSince
  readonly #options: RedisDeliveryOptions
  readonly #logger: Logger | undefined
  readonly #positions = new Map<string, StreamPosition>()
  /** Channels being filled after a reconnect, with the live frames that arrived meanwhile. */
  readonly #filling = new Map<string, Frame[]>()
  /** SUBSCRIBEs not yet confirmed, so a second caller waits for the same one. */
  readonly #pending = new Map<string, Promise<void>>()
  /** Channels waiting for the next SUBSCRIBE, which leaves once per event-loop turn for all of them. */
  #queued: Array<{ channel: string; resolve: () => void; reject: (error: unknown) => void }> = []
  #flushScheduled = false
  #resyncs = 0
  /** Bumped by every resync; a fill of an older one (the connection dropped again meanwhile) stops. */
  #generation = 0

  constructor(sub: Redis, keys: RedisKeys, fanout: LocalFanout, readSince: ReadSince, options: RedisDeliveryOptions, logger?: Logger) {
    this.#sub = sub
    this.#keys = keys
    this.#fanout = fanout
    this.#readSince = readSince
    this.#options = options
    this.#logger = logger
  }

  /** Reconnects survived (each ended in a resubscribe), for tests and metrics. */
  get resyncs(): number {
    return this.#resyncs
  }

  /** Subscribes the control channel and starts listening. The connection must be ready. */
  async start(): Promise<void> {
    this.#sub.on('messageBuffer', (name: Buffer, message: Buffer) => this.#onMessage(name.toString('utf8'), message.toString('utf8')))
    await this.#sub.subscribe(this.#keys.control)
    this.#sub.on('ready', () => void this.#resync())
  }

  subscribe(channel: string): Promise<void> {
    const pending = this.#pending.get(channel)
    if (pending !== undefined) return pending
    if (this.#fanout.isSubscribed(channel)) return Promise.resolve()
    this.#fanout.subscribe(channel)
    const confirmed = new Promise<void>((resolve, reject) => {
      this.#queued.push({ channel, resolve, reject })
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        setImmediate(() => this.#flushSubscribes())
      }
    })
      .then(
        () => undefined,
        (error: unknown) => {
          if (this.#pending.get(channel) === confirmed) this.#fanout.unsubscribe(channel)
          throw error
        },
      )
      .finally(() => {
        if (this.#pending.get(channel) === confirmed) this.#pending.delete(channel)
      })
    this.#pending.set(channel, confirmed)
    return confirmed
  }

  /**
   * Sends one SUBSCRIBE (at most `resubscribeBatch` names) for every channel queued since the last
   * turn and still wanted; one unsubscribed meanwhile is left out (its caller resolves: nothing to do).
   */
  #flushSubscribes(): void {
    this.#flushScheduled = false
    const wanted = this.#queued.filter((entry) => {
      if (this.#fanout.isSubscribed(entry.channel)) return true
      entry.resolve()
      return false
    })
    this.#queued = []
    for (let i = 0; i < wanted.length; i += this.#options.resubscribeBatch) {
      const batch = wanted.slice(i, i + this.#options.resubscribeBatch)
      this.#sub.subscribe(...batch.map((entry) => this.#keys.pubsub(entry.channel))).then(
        () => batch.forEach((entry) => entry.resolve()),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#fanout.isSubscribed(channel)) return
    this.#fanout.unsubscribe(channel)
    this.#pending.delete(channel)
    this.#positions.delete(channel)
    this.#filling.delete(channel)
    // Redis no longer holds the subscription once the connection dropped; nothing to undo then.
    if (this.#sub.status === 'ready') await this.#sub.unsubscribe(this.#keys.pubsub(channel))
  }

  #onMessage(name: string, message: string): void {
    if (name === this.#keys.control) {
      const control = parseControl(message)
      if (control !== undefined) this.#fanout.control(control)
      return
    }
    const channel = this.#keys.channelOf(name)
    if (channel === undefined || !this.#fanout.isSubscribed(channel)) return
    const frame = decodeFrame(message)
    if (frame === undefined) {
      this.#logger?.warn({ channel }, 'redis engine: malformed frame dropped')
      return
    }
    const waiting = this.#filling.get(channel)
    if (waiting !== undefined) waiting.push(frame)
    else this.#deliver(channel, frame)
  }

  #deliver(channel: string, frame: Frame): void {
    switch (frame.type) {
      case 'publication':
        this.#emit(channel, frame.publication, frame.position)
        return
      case 'join':
        this.#fanout.join(channel, frame.info)
        return
      case 'leave':
        this.#fanout.leave(channel, frame.info)
        return
      default: {
        const _: never = frame
        return _
      }
    }
  }

  /**
   * Hands a publication to the fan-out unless this node already delivered it: within an epoch a
   * channel's offsets only go up, so one at or below the last delivered is a second copy (a live
   * frame and a history fill that crossed during a reconnect) and is dropped.
   */
  #emit(channel: string, publication: Publication, position: StreamPosition): void {
    const last = this.#positions.get(channel)
    if (last !== undefined && last.epoch === position.epoch && position.offset <= last.offset) return
    this.#positions.set(channel, position)
    this.#fanout.publication(channel, publication, position)
  }

  /** After a reconnect: subscribe everything again, then fill each channel's gap. */
  async #resync(): Promise<void> {
    const generation = ++this.#generation
    const channels = this.#fanout.subscribed()
    // Frames still waiting from an interrupted resync stay queued, in order, for this one.
    for (const channel of channels) if (!this.#filling.has(channel)) this.#filling.set(channel, [])
    try {
      const names = channels.map((channel) => this.#keys.pubsub(channel))
      await this.#sub.subscribe(this.#keys.control)
      for (let i = 0; i < names.length; i += this.#options.resubscribeBatch) {
        await this.#sub.subscribe(...names.slice(i, i + this.#options.resubscribeBatch))
      }
    } catch (error) {
      // The connection dropped again; its next `ready` starts over.
      this.#logger?.warn({ err: error }, 'redis engine: resubscribe failed')
      if (generation === this.#generation) for (const channel of channels) this.#flush(channel, undefined)
      return
    }
    this.#resyncs++
    this.#logger?.info({ channels: channels.length }, 'redis engine: subscriptions restored')
    const workers = Array.from({ length: Math.min(16, channels.length) }, async (_, w) => {
      for (let i = w; i < channels.length && generation === this.#generation; i += 16) await this.#fill(channels[i]!, generation)
    })
    await Promise.all(workers)
  }

  async #fill(channel: string, generation: number): Promise<void> {
    const last = this.#positions.get(channel)
    let filled: StreamPosition | undefined
    let gap = true
    try {
      if (last !== undefined && this.#filling.has(channel)) {
        const result = await this.#readSince(channel, last, this.#options.gapFillLimit)
        // A newer resync began while this read was out: it fills the channel from where it stands.
        if (generation !== this.#generation) return
        if (result.epoch === last.epoch) {
          let expected = last.offset + 1
          for (const publication of result.publications) {
            if (publication.offset !== expected) break
            const position = { offset: publication.offset, epoch: result.epoch }
            this.#emit(channel, publication, position)
            filled = position
            expected++
          }
          gap = expected <= result.offset
        }
      }
    } catch (error) {
      if (generation !== this.#generation) return
      this.#logger?.warn({ err: error, channel }, 'redis engine: gap fill failed')
    }
    if (gap) {
      this.#positions.delete(channel)
      this.#fanout.gap(channel)
    }
    this.#flush(channel, filled ?? last)
  }

  /** Ends the channel's fill: live frames that waited go out, minus what the fill delivered. */
  #flush(channel: string, delivered: StreamPosition | undefined): void {
    const waiting = this.#filling.get(channel)
    if (waiting === undefined) return
    this.#filling.delete(channel)
    for (const frame of waiting) {
      if (frame.type === 'publication' && delivered !== undefined && frame.position.epoch === delivered.epoch && frame.position.offset <= delivered.offset) continue
      this.#deliver(channel, frame)
    }
  }
}

function parseControl(message: string): ControlMessage | undefined {
  try {
    const value = JSON.parse(message) as unknown
    if (typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string') return value as ControlMessage
  } catch {
    // A foreign publisher on our prefix; ignored.
  }
  return undefined
}
