/**
 * Node-local fan-out shared by every engine: subscribed channels and an ordered delivery queue to the hub.
 */
import type { ClientInfo, ControlMessage, EngineHandler, Publication, StreamPosition } from '../types.js'

const Kind = { Publication: 0, Join: 1, Leave: 2, Control: 3, Gap: 4 } as const

type Delivery =
  | { kind: typeof Kind.Publication; channel: string; publication: Publication; position: StreamPosition }
  | { kind: typeof Kind.Join | typeof Kind.Leave; channel: string; info: ClientInfo }
  | { kind: typeof Kind.Control; message: ControlMessage }
  | { kind: typeof Kind.Gap; channel: string }

/** Receives what a handler threw; the delivery queue carries on with the next event. */
export type HandlerErrorReporter = (error: unknown, event: string) => void

/** Reports handler errors as process warnings: never lost, never fatal. The engines' default. */
export const warnHandlerError: HandlerErrorReporter = (error, event) => {
  process.emitWarning(`engine handler threw on ${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
}

/**
 * The node-local end of fan-out: the set of channels this node subscribed to and an ordered
 * delivery queue to the node's `EngineHandler`. Every engine uses one; a distributed engine feeds
 * it from its transport (e.g. Redis pub/sub) instead of from its own publish path.
 *
 * Delivery is asynchronous and FIFO: events are queued in the order the engine accepted them
 * (for publications: offset order per channel) and handed to the handler in one microtask drain,
 * never synchronously inside the engine call that produced them. A channel's events are
 * delivered only while it is subscribed — checked when queued and again when handed over, so
 * nothing arrives after `unsubscribe` resolves. A handler that throws costs that one event only.
 */
export class LocalFanout {
  #handler: EngineHandler | undefined
  readonly #channels = new Set<string>()
  #queue: Delivery[] = []
  #draining = false
  readonly #drain = (): void => this.#run()
  readonly #onError: HandlerErrorReporter

  constructor(onError: HandlerErrorReporter) {
    this.#onError = onError
  }

  attach(handler: EngineHandler): void {
    this.#handler = handler
  }

  subscribe(channel: string): void {
    this.#channels.add(channel)
  }

  unsubscribe(channel: string): void {
    this.#channels.delete(channel)
  }

  isSubscribed(channel: string): boolean {
    return this.#channels.has(channel)
  }

  /** The channels subscribed on this node (a snapshot). */
  subscribed(): string[] {
    return [...this.#channels]
  }

  publication(channel: string, publication: Publication, position: StreamPosition): void {
    if (!this.#channels.has(channel)) return
    this.#push({ kind: Kind.Publication, channel, publication, position })
  }

  join(channel: string, info: ClientInfo): void {
    if (!this.#channels.has(channel)) return
    this.#push({ kind: Kind.Join, channel, info })
  }

  leave(channel: string, info: ClientInfo): void {
    if (!this.#channels.has(channel)) return
    this.#push({ kind: Kind.Leave, channel, info })
  }

  control(message: ControlMessage): void {
    this.#push({ kind: Kind.Control, message })
  }

  /** Tells the handler (in order with the channel's publications) that the channel's delivery may have a gap. */
  gap(channel: string): void {
    if (!this.#channels.has(channel)) return
    this.#push({ kind: Kind.Gap, channel })
  }

  /** Drops queued events and subscriptions; nothing is delivered afterwards. */
  close(): void {
    this.#handler = undefined
    this.#channels.clear()
    this.#queue = []
  }

  #push(delivery: Delivery): void {
    if (this.#handler === undefined) return
    this.#queue.push(delivery)
    if (!this.#draining) {
      this.#draining = true
      queueMicrotask(this.#drain)
    }
  }

  #run(): void {
    // Events queued by the handler itself join this drain, after what is already queued.
    for (let i = 0; i < this.#queue.length; i++) {
      const handler = this.#handler
      if (handler === undefined) break
      this.#deliver(handler, this.#queue[i]!)
    }
    this.#queue = []
    this.#draining = false
  }

  #deliver(handler: EngineHandler, d: Delivery): void {
    try {
      switch (d.kind) {
        case Kind.Publication:
          if (this.#channels.has(d.channel)) handler.onPublication(d.channel, d.publication, d.position)
          return
        case Kind.Join:
          if (this.#channels.has(d.channel)) handler.onJoin(d.channel, d.info)
          return
        case Kind.Leave:
          if (this.#channels.has(d.channel)) handler.onLeave(d.channel, d.info)
          return
        case Kind.Control:
          handler.onControl(d.message)
          return
        case Kind.Gap:
          if (this.#channels.has(d.channel)) handler.onStreamGap?.(d.channel)
          return
        default: {
          const _: never = d
          return _
        }
      }
    } catch (error) {
      this.#onError(error, d.kind === Kind.Control ? 'control' : `channel ${d.channel}`)
    }
  }
}
