/**
 * The `Hub`: channel policy, subscriptions, fan-out, presence, history and recovery on an `Engine`.
 */
import { Buffer } from 'node:buffer'
import type { ClientInfo, ControlMessage, Engine, EngineHandler, HistoryQuery, HistoryResult, PresenceStats, PublishResult } from '../engine/types.js'
import { ErrorReason, PeerError } from '../errors.js'
import type { Logger } from '../logger.js'
import { ChannelOptionsResolver, type ChannelOptions, type ResolvedChannel } from './channel-options.js'
import { ClientPublishRate } from './client-publish-rate.js'
import { EngineSubscriptions } from './engine-subscriptions.js'
import { Fanout } from './fanout.js'
import { consoleLogger } from './logger.js'
import { checkClientAccess, checkSubscribe, type ClientOperation } from './namespace-policy.js'
import { parseChannelsOptions, type ChannelsOptions, type ChannelsOptionsInput } from './options.js'
import { PresenceTracker } from './presence.js'
import { readSubscribePosition } from './recovery.js'
import { Seat, SubscriptionRegistry } from './subscriptions.js'
import type { Actor, FrameEncoder, HubApi, HubObserver, HubStats, PublishRequest, SubscribeRequest, SubscribeResult, Subscriber } from './types.js'

/**
 * The hub of one node: channel policy, local subscriptions, fan-out, presence, history and
 * recovery, on top of an `Engine`.
 *
 * Lifecycle: `new Hub(engine, options)`, then `start()` (which starts the engine with this hub
 * as its handler; do not start the engine yourself), then use, then `close()`. The hub does not
 * own the engine: whoever created it closes it, after `hub.close()`.
 */
export class Hub implements HubApi {
  readonly options: ChannelsOptions
  readonly #engine: Engine
  readonly #logger: Logger
  readonly #resolver: ChannelOptionsResolver
  readonly #clientPublishRate = new ClientPublishRate()
  readonly #registry = new SubscriptionRegistry()
  readonly #counts = { publishes: 0, publishesFailed: 0, engineSecondsPublishing: 0 }
  readonly #encoders = new Map<string, FrameEncoder>()
  readonly #fanout: Fanout
  readonly #engineSubs: EngineSubscriptions
  readonly #presence: PresenceTracker
  readonly #controlHandlers = new Map<string, Set<(message: ControlMessage) => void>>()
  readonly #observers = new Set<HubObserver>()
  #closed = false

  /** `options` is the `channels` config section, parsed or not (defaults fill what is missing). */
  constructor(engine: Engine, options: ChannelsOptionsInput | ChannelsOptions = {}, logger: Logger = consoleLogger) {
    this.options = parseChannelsOptions(options)
    this.#engine = engine
    this.#logger = logger
    this.#resolver = new ChannelOptionsResolver(this.options)
    this.#fanout = new Fanout(this.#registry, this.#encoders, this.options.maxPendingEvents, logger)
    this.#engineSubs = new EngineSubscriptions(engine, logger)
    this.#presence = new PresenceTracker(engine, this.options.presenceTtlMs, logger, this.options.leaveDebounceMs, (type, channel, info) => {
      this.#notify(type === 'join' ? 'onJoin' : 'onLeave', (observer) => (type === 'join' ? observer.onJoin?.(channel, info) : observer.onLeave?.(channel, info)))
    })
  }

  /** Starts the engine with this hub as its handler. Call once. */
  async start(): Promise<void> {
    await this.#engine.start(this.#handler())
  }

  /**
   * Registering a format again replaces its encoder, so two routes serving one protocol can share
   * a hub; their encoders must produce interchangeable frames.
   */
  registerFormat<Frame>(format: string, encoder: FrameEncoder<Frame>): void {
    this.#encoders.set(format, encoder)
  }

  channelOptions(channel: string): ChannelOptions {
    return this.#resolver.resolve(channel).options
  }

  async subscribe(subscriber: Subscriber, channel: string, request: SubscribeRequest): Promise<SubscribeResult> {
    this.#assertOpen()
    const resolved = this.#resolver.resolve(channel)
    checkSubscribe(resolved, subscriber.userId, request.granted === true)
    if (!this.#encoders.has(subscriber.format)) throw new Error(`no encoder registered for format: ${subscriber.format}`)
    if (this.#registry.get(channel, subscriber.clientId) !== undefined) {
      throw new PeerError(ErrorReason.alreadySubscribed, 'already subscribed')
    }
    if (this.#registry.channelsOf(subscriber).size >= this.options.maxChannelsPerConnection) {
      throw new PeerError(ErrorReason.limitExceeded, 'channel limit exceeded')
    }
    const { options } = resolved
    const seat = new Seat(subscriber, channel, request.info, options)
    if (this.#registry.add(seat)) this.#notify('onOccupied', (observer) => observer.onOccupied?.(channel))
    let joined = false
    try {
      await this.#engineSubs.acquire(channel)
      if (options.tracksPresence) {
        seat.presenceAdded = true
        await this.#presence.join(channel, request.info, options.joinLeave)
        joined = true
      }
      const outcome = await readSubscribePosition(this.#engine, channel, request.since, options.recoverable, this.options.maxHistoryPage)
      seat.setFloor(outcome.top)
      return {
        position: outcome.position,
        recoverable: options.recoverable,
        recovered: outcome.recovered,
        publications: outcome.publications,
        joinLeave: options.joinLeave,
        activate: () => this.#activate(seat),
      }
    } catch (error) {
      // A leave only follows a join that was announced.
      await this.#remove(seat, joined).catch((cleanupError: unknown) => {
        this.#logger.warn({ err: cleanupError, channel }, 'cleanup after a failed subscribe failed')
      })
      throw error
    } finally {
      seat.settle()
    }
  }

  async unsubscribe(subscriber: Subscriber, channel: string): Promise<void> {
    const seat = this.#registry.get(channel, subscriber.clientId)
    if (seat === undefined || seat.subscriber !== subscriber) return
    // An unsubscribe during the same channel's subscribe applies after it.
    await seat.ready
    if (!this.#registry.has(seat)) return
    await this.#remove(seat)
  }

  async removeSubscriber(subscriber: Subscriber): Promise<void> {
    const channels = [...this.#registry.channelsOf(subscriber)]
    const results = await Promise.allSettled(channels.map((channel) => this.unsubscribe(subscriber, channel)))
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.#logger.warn({ err: result.reason, channel: channels[i], client: subscriber.clientId }, 'unsubscribe on disconnect failed')
      }
    })
  }

  channelsOf(subscriber: Subscriber): ReadonlySet<string> {
    return this.#registry.channelsOf(subscriber)
  }

  async publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    this.#counts.publishes++
    try {
      return await this.#publish(channel, request)
    } catch (error) {
      this.#counts.publishesFailed++
      throw error
    }
  }

  async #publish(channel: string, request: PublishRequest): Promise<PublishResult> {
    this.#assertOpen()
    const resolved = this.#resolver.resolve(channel)
    const { options } = resolved
    if (request.actor !== undefined) this.#checkActor(resolved, 'publish', request.actor)
    const maxBytes = options.maxPublicationBytes > 0 ? options.maxPublicationBytes : this.options.maxPublicationBytes
    if (Buffer.byteLength(request.data, 'utf8') > maxBytes) {
      throw new PeerError(ErrorReason.limitExceeded, 'publication too large')
    }
    if (
      request.actor !== undefined &&
      !this.#clientPublishRate.admit(request.actor.clientId, resolved.namespace, options.clientPublishesPerSecond, options.clientPublishBurst)
    ) {
      throw new PeerError(ErrorReason.tooManyRequests, 'publishing too fast in this namespace')
    }
    const started = performance.now()
    const result = await this.#engine.publish(channel, request.data, {
      historySize: options.historyEnabled ? options.historySize : 0,
      historyTtlMs: options.historyEnabled ? options.historyTtlMs : 0,
      info: request.info,
      tags: request.tags,
      idempotencyKey: request.idempotencyKey,
      idempotencyWindowMs: request.idempotencyKey === undefined ? undefined : this.options.idempotencyWindowMs,
    })
    this.#counts.engineSecondsPublishing += (performance.now() - started) / 1000
    return result
  }

  /**
   * Reads history. `notAvailable` when the namespace keeps none; `limit` must be a non-negative
   * integer and is lowered to `maxHistoryPage`; a `since` from another epoch is refused with
   * `unrecoverablePosition`.
   */
  async history(channel: string, query: HistoryQuery, actor?: Actor): Promise<HistoryResult> {
    this.#assertOpen()
    const resolved = this.#resolver.resolve(channel)
    if (!resolved.options.historyEnabled) throw new PeerError(ErrorReason.notAvailable, 'history not available')
    if (actor !== undefined) this.#checkActor(resolved, 'history', actor)
    if (!Number.isInteger(query.limit) || query.limit < 0) throw new PeerError(ErrorReason.badRequest, 'invalid history limit')
    const limit = Math.min(query.limit, this.options.maxHistoryPage)
    let since = query.since
    if (since !== undefined && since.epoch === '') {
      since = { offset: since.offset, epoch: (await this.#engine.history(channel, { limit: 0 })).epoch }
    }
    const result = await this.#engine.history(channel, { since, limit, reverse: query.reverse })
    if (since !== undefined && result.epoch !== since.epoch) {
      throw new PeerError(ErrorReason.unrecoverablePosition, 'unrecoverable position')
    }
    return result
  }

  async removeHistory(channel: string): Promise<void> {
    this.#assertOpen()
    this.#resolver.resolve(channel)
    await this.#engine.removeHistory(channel)
  }

  /** Live presence entries by client id. `notAvailable` when the namespace has `presence` off. */
  async presence(channel: string, actor?: Actor): Promise<Record<string, ClientInfo>> {
    this.#assertOpen()
    this.#checkPresence(channel, actor)
    return this.#engine.presence(channel)
  }

  async presenceStats(channel: string, actor?: Actor): Promise<PresenceStats> {
    this.#assertOpen()
    this.#checkPresence(channel, actor)
    return this.#engine.presenceStats(channel)
  }

  channels(): Map<string, number> {
    return this.#registry.counts()
  }

  stats(): HubStats {
    let subscriptions = 0
    const counts = this.#registry.counts()
    for (const count of counts.values()) subscriptions += count
    const fanned = this.#fanout.counts
    return {
      subscriptions,
      channels: counts.size,
      ...this.#counts,
      publicationsFannedOut: fanned.publications,
      deliveries: fanned.deliveries,
      streamsLost: fanned.streamsLost,
    }
  }

  async broadcastControl(message: ControlMessage): Promise<void> {
    this.#assertOpen()
    await this.#engine.publishControl(message)
  }

  observe(observer: HubObserver): () => void {
    this.#observers.add(observer)
    return () => {
      this.#observers.delete(observer)
    }
  }

  #notify(what: keyof HubObserver, call: (observer: HubObserver) => void): void {
    for (const observer of this.#observers) {
      try {
        call(observer)
      } catch (error) {
        this.#logger.error({ err: error, callback: what }, 'hub observer threw')
      }
    }
  }

  onControl(kind: string, handler: (message: ControlMessage) => void): () => void {
    let handlers = this.#controlHandlers.get(kind)
    if (handlers === undefined) {
      handlers = new Set()
      this.#controlHandlers.set(kind, handlers)
    }
    handlers.add(handler)
    return () => {
      handlers.delete(handler)
      if (handlers.size === 0 && this.#controlHandlers.get(kind) === handlers) this.#controlHandlers.delete(kind)
    }
  }

  /**
   * Removes every local subscription (publishing leaves and dropping presence entries, as
   * unsubscribes would), unsubscribes the engine, and stops the presence timer. Idempotent.
   * Does not close the engine. Later calls that need the engine fail as `notAvailable`.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#presence.flushLeaves()
    const seats = [...this.#registry.seats()]
    await Promise.allSettled(seats.map(async (seat) => {
      await seat.ready
      if (this.#registry.has(seat)) await this.#remove(seat)
    }))
    await this.#engineSubs.settled()
    this.#presence.close()
    this.#controlHandlers.clear()
  }

  #handler(): EngineHandler {
    return {
      onPublication: (channel, publication, position) => {
        this.#fanout.dispatch({ type: 'publication', channel, publication, position })
      },
      onJoin: (channel, info) => {
        this.#fanout.dispatch({ type: 'join', channel, info })
      },
      onLeave: (channel, info) => {
        this.#fanout.dispatch({ type: 'leave', channel, info })
      },
      onControl: (message) => {
        this.#dispatchControl(message)
      },
      onStreamGap: (channel) => {
        this.#streamGap(channel)
      },
    }
  }

  /**
   * The engine may have missed publications of the channel on this node: every recoverable
   * subscriber is told its stream was lost, so its client resubscribes and recovers from history
   * (or learns it cannot). Others have no position to recover and carry on.
   */
  #streamGap(channel: string): void {
    const seats = this.#registry.channel(channel)
    if (seats === undefined) return
    for (const group of seats.byFormat.values()) {
      for (const seat of group) if (seat.options.recoverable) this.#fanout.lose(seat)
    }
  }

  #dispatchControl(message: ControlMessage): void {
    const handlers = this.#controlHandlers.get(message.kind)
    if (handlers === undefined) return
    for (const handler of handlers) {
      try {
        handler(message)
      } catch (error) {
        this.#logger.error({ err: error, kind: message.kind }, 'control handler threw')
      }
    }
  }

  /** Flushes what the seat held (minus what the subscribe result covered) and goes live. */
  #activate(seat: Seat): void {
    if (seat.live || !this.#registry.has(seat)) return
    const held = seat.held
    seat.held = undefined
    seat.live = true
    if (seat.lost) {
      this.#fanout.lose(seat)
      return
    }
    if (held !== undefined) {
      for (const { frame, event } of held) this.#fanout.offer(seat, frame, event)
    }
  }

  /** Takes the seat out synchronously, then releases the engine and presence. */
  async #remove(seat: Seat, announceLeave = true): Promise<void> {
    const last = this.#registry.remove(seat)
    seat.held = undefined
    seat.live = false
    if (last) {
      this.#engineSubs.release(seat.channel)
      this.#notify('onVacated', (observer) => observer.onVacated?.(seat.channel))
    }
    if (seat.presenceAdded) {
      seat.presenceAdded = false
      await this.#presence.leave(seat.channel, seat.info, announceLeave && seat.options.joinLeave)
    }
  }

  #checkActor(channel: ResolvedChannel, operation: ClientOperation, actor: Actor): void {
    const subscribed = this.#registry.get(channel.name, actor.clientId) !== undefined
    checkClientAccess(channel, operation, actor, subscribed)
  }

  #checkPresence(channel: string, actor: Actor | undefined): void {
    const resolved = this.#resolver.resolve(channel)
    if (!resolved.options.presence) throw new PeerError(ErrorReason.notAvailable, 'presence not available')
    if (actor !== undefined) this.#checkActor(resolved, 'presence', actor)
  }

  #assertOpen(): void {
    if (this.#closed) throw new PeerError(ErrorReason.notAvailable, 'hub closed')
  }
}

/** Builds a hub and starts its engine (see `Hub`). */
export async function createHub(engine: Engine, options: ChannelsOptionsInput | ChannelsOptions = {}, logger?: Logger): Promise<Hub> {
  const hub = new Hub(engine, options, logger)
  await hub.start()
  return hub
}

