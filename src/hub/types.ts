/** The hub's contract (`HubApi`) and the types components use with it. */
import type { ClientInfo, ControlMessage, HistoryQuery, HistoryResult, PresenceStats, Publication, PublishResult, StreamPosition } from '../engine/types.js'
import type { ChannelOptions } from './channel-options.js'

/**
 * The engine's data types the hub's API carries, re-exported so the layers above the hub
 * (components, HTTP routes) depend on the hub alone, never on `engine/`.
 */
export type { ClientInfo, ControlMessage, HistoryQuery, HistoryResult, PresenceStats, Publication, PublishResult, StreamPosition } from '../engine/types.js'

/** One event the hub fans out to the local subscribers of a channel. */
export type HubEvent =
  | { type: 'publication'; channel: string; publication: Publication; position: StreamPosition }
  | { type: 'join'; channel: string; info: ClientInfo }
  | { type: 'leave'; channel: string; info: ClientInfo }

/**
 * Turns a hub event into the bytes of one wire format. The hub calls it once per event per
 * format that has subscribers on the channel, never once per subscriber, and hands the same
 * frame to each of them. Returning undefined skips the event for that format.
 */
export interface FrameEncoder<Frame = unknown> {
  encode(event: HubEvent): Frame | undefined
}

/** A connection's seat in the hub. Protocol components build one per connection. */
export interface Subscriber<Frame = unknown> {
  /** The connection's id (Centrifugo `client`, Pusher `socket_id`). */
  readonly clientId: string
  /** '' for anonymous connections. */
  readonly userId: string
  /** Key of a format registered with `Hub.registerFormat`. */
  readonly format: string
  /**
   * Writes one frame. Must not throw and must not block: the connection applies its own
   * slow-consumer policy (it closes itself rather than buffer without bound).
   */
  deliver(frame: Frame, event: HubEvent): void
  /**
   * Optional. Called when the hub could not keep this subscriber's stream on `channel` gap-free
   * (its setup buffer passed `maxPendingEvents` before `activate()`). The component should make
   * the client resubscribe and recover (Centrifugo: unsubscribe push 2500, or close 3010 for a
   * server-side subscription). Must not throw.
   */
  onStreamLost?(channel: string): void
}

/**
 * Watches what this node's hub does to channels, for features that report it (webhooks). Every
 * callback is optional, called synchronously, and must not throw (what it throws is logged and
 * ignored).
 * - `onOccupied` / `onVacated`: the channel got its first local subscriber / lost its last one.
 *   Per node: with several nodes, each reports its own subscribers.
 * - `onJoin` / `onLeave`: this node announced a user's join (their first connection on the
 *   channel, across nodes) or leave (their last); only on channels with `joinLeave`. A join or
 *   leave is reported by the one node that announced it.
 */
export type HubObserver = {
  onOccupied?(channel: string): void
  onVacated?(channel: string): void
  onJoin?(channel: string, info: ClientInfo): void
  onLeave?(channel: string, info: ClientInfo): void
}

/** Who is asking: policy checks use it. `undefined` means the server itself (HTTP API, RPC code). */
export type Actor = { userId: string; clientId: string }

export type SubscribeRequest = {
  /** Presence and join/leave identity of this connection on the channel. */
  info: ClientInfo
  /** Position to recover from (the client's last seen offset and epoch). */
  since?: StreamPosition
  /**
   * True when a subscription token or server-side subscription already granted access. A grant
   * passes every subscribe rule (`allowSubscribe`, `anonymousAccess`, `$` private channels and
   * user-limited lists): whoever signed the token decided. Name, namespace and limits still apply.
   */
  granted?: boolean
}

export type SubscribeResult = {
  /** The channel's current position (or the client's, when recovery succeeded). */
  position: StreamPosition
  /** Whether the channel keeps history and allows recovery (client sends `since` next time). */
  recoverable: boolean
  /** Meaningful only when `since` was given. */
  recovered: boolean
  /** Missed publications, oldest first; empty unless `recovered`. */
  publications: Publication[]
  /** Whether join/leave events are delivered on this channel. */
  joinLeave: boolean
  /**
   * Call after the subscribe reply has been written: flushes live events that arrived while the
   * subscription was being set up (skipping those already in `publications`) and switches the
   * subscriber to live delivery. Until then, events for this subscriber are held.
   */
  activate(): void
}

export type PublishRequest = {
  /** The payload as JSON text. */
  data: string
  /** Set when a client publishes; absent for the server API. */
  actor?: Actor
  info?: ClientInfo
  tags?: Record<string, string>
  idempotencyKey?: string
}

/**
 * The hub's public face, used by protocol components, the HTTP API and apps.
 * Every method that takes an `actor` applies the channel's namespace policy for it and throws a
 * `PeerError` with a neutral `ErrorReason` when it is refused (`unknownChannel`,
 * `permissionDenied`, `alreadySubscribed`, `limitExceeded`, `badRequest` for a bad request or
 * name, `notAvailable`: history/presence off in the namespace or hub closed,
 * `unrecoverablePosition`: a history `since` from another epoch). Name and namespace errors
 * (`badRequest`, `unknownChannel`) apply to the server too. Engine failures propagate as they are:
 * an unreachable backend is `EngineUnavailableError`, a `PeerError` with reason `unavailable`
 * (temporary, nothing was stored); anything else is not a `PeerError` and the caller's one catch
 * handles it.
 */
/** What the hub has done since it started, for metrics: counters only grow; the rest are current. */
export type HubStats = {
  /** Seats on this node (one per subscriber per channel). */
  subscriptions: number
  /** Channels with at least one seat on this node. */
  channels: number
  /** Publish calls, by outcome (a refusal by policy or limits counts as failed). */
  publishes: number
  publishesFailed: number
  /** Seconds spent in the engine's publish (append and fan-out), summed over successful publishes. */
  engineSecondsPublishing: number
  /** Publications this node fanned out to local subscribers, and the frames handed to them. */
  publicationsFannedOut: number
  deliveries: number
  /** Subscribers told their stream had a gap (they resubscribe and recover). */
  streamsLost: number
}

export interface HubApi {
  /** Registers the encoder of a wire format; formats are keyed by `Subscriber.format`. */
  registerFormat<Frame>(format: string, encoder: FrameEncoder<Frame>): void

  /**
   * Seats the subscriber on the channel (policy for the subscriber's user unless `granted`;
   * `alreadySubscribed` if already seated, `limitExceeded` past `maxChannelsPerConnection`). The engine is subscribed once
   * per node. Events arriving before `activate()` are held. An `unsubscribe`/`removeSubscriber`
   * during a subscribe applies once it has finished.
   */
  subscribe(subscriber: Subscriber, channel: string, request: SubscribeRequest): Promise<SubscribeResult>
  /** Idempotent. Sends leave (when it was the user's last connection) and drops presence. */
  unsubscribe(subscriber: Subscriber, channel: string): Promise<void>
  /** Unsubscribes from every channel; call when the connection closes. */
  removeSubscriber(subscriber: Subscriber): Promise<void>
  /** Channels the subscriber is in. */
  channelsOf(subscriber: Subscriber): ReadonlySet<string>

  publish(channel: string, request: PublishRequest): Promise<PublishResult>
  history(channel: string, query: HistoryQuery, actor?: Actor): Promise<HistoryResult>
  removeHistory(channel: string): Promise<void>
  presence(channel: string, actor?: Actor): Promise<Record<string, ClientInfo>>
  presenceStats(channel: string, actor?: Actor): Promise<PresenceStats>
  /** Channels with local subscribers and their local subscriber counts. */
  channels(): Map<string, number>
  /** Counters and sizes for metrics (see `HubStats`). O(channels on this node). */
  stats(): HubStats
  /**
   * The options that apply to a channel (its namespace's, plus `historyEnabled`, `recoverable`,
   * `tracksPresence`). Throws `badRequest` for a malformed name, `unknownChannel` for an unknown
   * namespace.
   */
  channelOptions(channel: string): ChannelOptions

  /** Adds an observer (see `HubObserver`); returns a function that removes it. */
  observe(observer: HubObserver): () => void

  /** Sends a control message to every node's hub (this one included). */
  broadcastControl(message: ControlMessage): Promise<void>
  /** Registers a handler for control messages of one kind (e.g. 'disconnect'); returns an unregister function. */
  onControl(kind: string, handler: (message: ControlMessage) => void): () => void

  close(): Promise<void>
}
