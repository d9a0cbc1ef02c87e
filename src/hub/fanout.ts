import type { HubLogger } from './logger.js'
import type { Seat, SubscriptionRegistry } from './subscriptions.js'
import type { FrameEncoder, HubEvent } from './types.js'

/**
 * Delivers one event to the local subscribers of its channel: one `encode` per wire format that
 * has subscribers there, then the same frame to each of them. The loop over subscribers neither
 * allocates nor encodes; seats still being set up hold the frame instead (bounded).
 */
export class Fanout {
  readonly #registry: SubscriptionRegistry
  readonly #encoders: ReadonlyMap<string, FrameEncoder>
  readonly #maxPendingEvents: number
  readonly #logger: HubLogger

  constructor(registry: SubscriptionRegistry, encoders: ReadonlyMap<string, FrameEncoder>, maxPendingEvents: number, logger: HubLogger) {
    this.#registry = registry
    this.#encoders = encoders
    this.#maxPendingEvents = maxPendingEvents
    this.#logger = logger
  }

  dispatch(event: HubEvent): void {
    const seats = this.#registry.channel(event.channel)
    if (seats === undefined) return
    for (const [format, group] of seats.byFormat) {
      const frame = this.#encode(format, event)
      if (frame === undefined) continue
      for (const seat of group) {
        if (seat.covers(event)) continue
        if (seat.live) this.deliver(seat, frame, event)
        else this.#hold(seat, frame, event)
      }
    }
  }

  /** Writes to one subscriber; a subscriber that throws breaks its contract but not the loop. */
  deliver(seat: Seat, frame: unknown, event: HubEvent): void {
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
