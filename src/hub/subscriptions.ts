/**
 * Local subscriptions: each subscriber's seat on a channel, held until its subscribe result is sent.
 */
import type { ClientInfo, StreamPosition } from '../engine/types.js'
import type { ChannelOptions } from './channel-options.js'
import type { HubEvent, Subscriber } from './types.js'

/**
 * One subscriber's seat on one channel. Until `live`, events are held in `held` (bounded by the
 * hub's `maxPendingEvents`); publications at or below the floor (the stream top the subscribe
 * result accounted for) are never delivered, so nothing arrives twice. On recoverable channels
 * the floor then follows each delivered publication, so a gap is noticed.
 */
export class Seat {
  readonly subscriber: Subscriber
  readonly channel: string
  readonly info: ClientInfo
  readonly options: ChannelOptions
  /** Settles when the subscribe call that created the seat has finished, either way. */
  readonly ready: Promise<void>
  readonly settle: () => void
  live = false
  /** The setup buffer overflowed: this subscriber's stream has a gap. */
  lost = false
  /** `Subscriber.onStreamLost` was called for this seat. */
  lostReported = false
  /** A presence entry was added for this seat (and must be removed with it). */
  presenceAdded = false
  floorOffset = 0
  floorEpoch = ''
  held: Array<{ frame: unknown; event: HubEvent }> | undefined = []

  constructor(subscriber: Subscriber, channel: string, info: ClientInfo, options: ChannelOptions) {
    this.subscriber = subscriber
    this.channel = channel
    this.info = info
    this.options = options
    let settle!: () => void
    this.ready = new Promise<void>((resolve) => {
      settle = resolve
    })
    this.settle = settle
  }

  setFloor(position: StreamPosition): void {
    this.floorOffset = position.offset
    this.floorEpoch = position.epoch
  }

  /**
   * Moves the seat's position to a live publication's. False when it does not directly follow
   * the previous one (lost between engine and node, or the stream got a new epoch).
   */
  advance(position: StreamPosition): boolean {
    const follows = position.epoch === this.floorEpoch && position.offset === this.floorOffset + 1
    this.floorOffset = position.offset
    this.floorEpoch = position.epoch
    return follows
  }

  /** True for a publication the subscribe result already covered. */
  covers(event: HubEvent): boolean {
    return event.type === 'publication' && event.position.offset <= this.floorOffset && event.position.epoch === this.floorEpoch
  }
}

/** The local seats of one channel, by client id and grouped by wire format for fan-out. */
export class ChannelSeats {
  readonly byClient = new Map<string, Seat>()
  readonly byFormat = new Map<string, Set<Seat>>()
}

/**
 * Who is subscribed to what on this node. Synchronous, so a seat exists (and holds events) from
 * the moment `add` returns. Client ids must be unique across the hub's formats.
 */
export class SubscriptionRegistry {
  readonly #channels = new Map<string, ChannelSeats>()
  readonly #bySubscriber = new Map<Subscriber, Set<string>>()
  static readonly #none: ReadonlySet<string> = new Set()

  channel(channel: string): ChannelSeats | undefined {
    return this.#channels.get(channel)
  }

  get(channel: string, clientId: string): Seat | undefined {
    return this.#channels.get(channel)?.byClient.get(clientId)
  }

  has(seat: Seat): boolean {
    return this.get(seat.channel, seat.subscriber.clientId) === seat
  }

  /** Adds the seat; returns true when it is the channel's first on this node. */
  add(seat: Seat): boolean {
    let seats = this.#channels.get(seat.channel)
    const first = seats === undefined
    if (seats === undefined) {
      seats = new ChannelSeats()
      this.#channels.set(seat.channel, seats)
    }
    seats.byClient.set(seat.subscriber.clientId, seat)
    let group = seats.byFormat.get(seat.subscriber.format)
    if (group === undefined) {
      group = new Set()
      seats.byFormat.set(seat.subscriber.format, group)
    }
    group.add(seat)
    let channels = this.#bySubscriber.get(seat.subscriber)
    if (channels === undefined) {
      channels = new Set()
      this.#bySubscriber.set(seat.subscriber, channels)
    }
    channels.add(seat.channel)
    return first
  }

  /** Removes the seat if present; returns true when it was the channel's last on this node. */
  remove(seat: Seat): boolean {
    const seats = this.#channels.get(seat.channel)
    if (seats === undefined || seats.byClient.get(seat.subscriber.clientId) !== seat) return false
    seats.byClient.delete(seat.subscriber.clientId)
    const group = seats.byFormat.get(seat.subscriber.format)
    group?.delete(seat)
    if (group !== undefined && group.size === 0) seats.byFormat.delete(seat.subscriber.format)
    const channels = this.#bySubscriber.get(seat.subscriber)
    channels?.delete(seat.channel)
    if (channels !== undefined && channels.size === 0) this.#bySubscriber.delete(seat.subscriber)
    if (seats.byClient.size > 0) return false
    this.#channels.delete(seat.channel)
    return true
  }

  channelsOf(subscriber: Subscriber): ReadonlySet<string> {
    return this.#bySubscriber.get(subscriber) ?? SubscriptionRegistry.#none
  }

  /** Every seat, for shutdown. */
  *seats(): Iterable<Seat> {
    for (const seats of this.#channels.values()) yield* seats.byClient.values()
  }

  counts(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const [channel, seats] of this.#channels) counts.set(channel, seats.byClient.size)
    return counts
  }
}
