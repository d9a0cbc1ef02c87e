/** Local fan-out: one encode per wire format, the same frame to every local subscriber. */
import type { Logger } from '../logger.js'
import type { Seat, SubscriptionRegistry } from './subscriptions.js'
import type { FrameEncoder, HubEvent } from './types.js'

type PublicationEvent = Extract<HubEvent, { type: 'publication' }>

/**
 * Delivers one event to the local subscribers of its channel: one `encode` per wire format that
 * has subscribers there, then the same frame to each of them. The loop over subscribers neither
 * allocates nor encodes; seats still being set up hold the frame instead (bounded).
 * Seats are grouped by format, so `encode` runs once per (event, format).
 */
export class Fanout {
  readonly #registry: SubscriptionRegistry
  readonly #encoders: ReadonlyMap<string, FrameEncoder>
  readonly #maxPendingEvents: number
  readonly #logger: Logger
  /** Counted for metrics: publications this node fanned out, the frames handed to subscribers, the streams lost. */
  readonly counts = { publications: 0, deliveries: 0, streamsLost: 0 }

  constructor(registry: SubscriptionRegistry, encoders: ReadonlyMap<string, FrameEncoder>, maxPendingEvents: number, logger: Logger) {
    this.#registry = registry
    this.#encoders = encoders
    this.#maxPendingEvents = maxPendingEvents
    this.#logger = logger
  }

  dispatch(event: HubEvent): void {
    const seats = this.#registry.channel(event.channel)
    if (seats === undefined) return
    if (event.type === 'publication') this.counts.publications++
    for (const [format, group] of seats.byFormat) {
      const frame = this.#encode(format, event)
      if (frame === undefined) continue
      if (event.type === 'publication') this.#publication(group, frame, event)
      else this.#other(group, frame, event)
    }
  }

  /**
   * The per-subscriber loop of a publication, the hot path of fan-out: `offer`, `covers` and
   * `deliver` written out inline, the position read once, nothing allocated per seat.
   */
  #publication(group: ReadonlySet<Seat>, frame: unknown, event: PublicationEvent): void {
    const offset = event.position.offset
    const epoch = event.position.epoch
    for (const seat of group) {
      const covered = offset <= seat.floorOffset && epoch === seat.floorEpoch
      if (!seat.live) {
        if (!covered) this.#hold(seat, frame, event)
        continue
      }
      if (covered) continue
      if (seat.options.recoverable && !seat.advance(event.position)) {
        this.lose(seat)
        continue
      }
      this.counts.deliveries++
      try {
        seat.subscriber.deliver(frame, event)
      } catch (error) {
        this.#logger.error({ err: error, channel: seat.channel, client: seat.subscriber.clientId }, 'subscriber deliver threw')
      }
    }
  }

  #other(group: ReadonlySet<Seat>, frame: unknown, event: HubEvent): void {
    for (const seat of group) {
      if (seat.live) this.deliver(seat, frame, event)
      else this.#hold(seat, frame, event)
    }
  }

  /**
   * Delivers to a live seat unless the subscribe result covered the event. On a recoverable
   * channel a publication that does not follow the seat's position is not delivered: the
   * subscriber is told its stream was lost, so the client resubscribes and recovers from history.
   */
  offer(seat: Seat, frame: unknown, event: HubEvent): void {
    if (event.type === 'publication') {
      if (seat.covers(event)) return
      if (seat.options.recoverable && !seat.advance(event.position)) {
        this.lose(seat)
        return
      }
    }
    this.deliver(seat, frame, event)
  }

  /** Tells the subscriber, once, that its stream on the seat's channel has a gap. */
  lose(seat: Seat): void {
    if (seat.lostReported) return
    seat.lost = true
    seat.lostReported = true
    this.counts.streamsLost++
    try {
      seat.subscriber.onStreamLost?.(seat.channel)
    } catch (error) {
      this.#logger.error({ err: error, channel: seat.channel, client: seat.subscriber.clientId }, 'onStreamLost threw')
    }
  }

  /** Writes to one subscriber; a subscriber that throws breaks its contract but not the loop. */
  deliver(seat: Seat, frame: unknown, event: HubEvent): void {
    this.counts.deliveries++
    try {
      seat.subscriber.deliver(frame, event)
    } catch (error) {
      this.#logger.error({ err: error, channel: seat.channel, client: seat.subscriber.clientId }, 'subscriber deliver threw')
    }
  }

  #encode(format: string, event: HubEvent): unknown {
    const encoder = this.#encoders.get(format)
    if (encoder === undefined) return undefined
    try {
      return encoder.encode(event)
    } catch (error) {
      this.#logger.error({ err: error, channel: event.channel, format }, 'encoder threw; event skipped for this format')
      return undefined
    }
  }

  #hold(seat: Seat, frame: unknown, event: HubEvent): void {
    if (seat.held === undefined) return
    if (seat.held.length >= this.#maxPendingEvents) {
      seat.held = undefined
      seat.lost = true
      return
    }
    seat.held.push({ frame, event })
  }
}
