/**
 * The Engine contract: history, fan-out across nodes, and presence.
 *
 * The hub is the only caller. An engine never sees a socket or a wire format: payloads are
 * opaque JSON text. One conformance suite (test/engine/conformance.ts) holds every engine to
 * this contract; differences are declared in `EngineCapabilities`, never forked tests.
 */

/** Where a publication sits in its channel's stream. */
export type StreamPosition = {
  /** 1, 2, 3 … per channel, no gaps while the epoch stays the same. 0 means "no publication yet". */
  offset: number
  /** Changes whenever the channel's history is lost or reset; positions from another epoch are void. */
  epoch: string
}

/** Who published, or who is present. `connInfo`/`chanInfo` are opaque JSON text. */
export type ClientInfo = {
  user: string
  client: string
  connInfo?: string
  chanInfo?: string
}

export type Publication = {
  offset: number
  /** The payload as JSON text, validated at the boundary; engines never parse it. */
  data: string
  info?: ClientInfo
  tags?: Record<string, string>
  /** Milliseconds since the epoch when the engine accepted it. */
  timeMs: number
}

export type PublishOptions = {
  /** Publications kept in the channel's history; 0 keeps none (fan-out only, offset still advances). */
  historySize: number
  /**
   * How long a publication stays in history. 0 = no history. An idle stream's meta (offset and
   * epoch) is kept at least this long, and by default far longer (the engine's `historyMetaTtlMs`).
   */
  historyTtlMs: number
  info?: ClientInfo
  tags?: Record<string, string>
  /**
   * A retried publish with the same key on the same channel within `idempotencyWindowMs` returns
   * the first publish's position and does not append or fan out again.
   */
  idempotencyKey?: string
  idempotencyWindowMs?: number
}

export type PublishResult = StreamPosition & {
  /** True when an earlier publish with the same idempotency key was found and returned instead. */
  duplicate: boolean
}

/**
 * What a history read returns (Centrifugo's semantics):
 *
 * | since | reverse | publications |
 * |---|---|---|
 * | none | false | the oldest `limit` retained, ascending |
 * | none | true | the newest `limit` retained, descending |
 * | `{offset: o}` | false | up to `limit` with offset > o, ascending; if o + 1 is no longer retained, from the oldest retained |
 * | `{offset: o}` | true | up to `limit` with offset < o, descending (paging backwards from o); none when o is 0 |
 *
 * Reverse from offset 0 is a caller's mistake the protocol decoders refuse; engines just
 * return none for it.
 */
export type HistoryQuery = {
  /** Where to start reading (exclusive). If its epoch is not the current one, the result has none. */
  since?: StreamPosition
  /** At most this many; 0 returns only the current position. */
  limit: number
  /** Newest first. With `since`, the publications before `since`, paging backwards. */
  reverse?: boolean
}

export type HistoryResult = StreamPosition & {
  /** Ordered by offset (ascending, or descending when `reverse`). */
  publications: Publication[]
}

export type PresenceStats = { numClients: number; numUsers: number }

/** Messages the hub sends to the hubs of every node (disconnect a user, unsubscribe, …). Opaque to engines. */
export type ControlMessage = { kind: string; [key: string]: unknown }

/** How an engine reports to the hub of its node. Calls for one channel arrive in offset order. */
export interface EngineHandler {
  onPublication(channel: string, publication: Publication, position: StreamPosition): void
  onJoin(channel: string, info: ClientInfo): void
  onLeave(channel: string, info: ClientInfo): void
  onControl(message: ControlMessage): void
  /**
   * Optional. The engine may have missed some of the channel's publications on this node (a
   * distributed engine lost its connection and could not fill the gap from history, or the
   * channel's epoch changed meanwhile). Arrives in order with the channel's publications; the hub
   * makes the channel's recoverable subscribers recover from history. One-node engines never call it.
   */
  onStreamGap?(channel: string): void
}

export type EngineCapabilities = {
  /** History survives a restart of the process (and so does the epoch). */
  durable: boolean
  /** Several nodes share one engine state. */
  distributed: boolean
}

export interface Engine {
  readonly name: string
  readonly capabilities: EngineCapabilities
  /**
   * Optional: false while the engine cannot reach its backend (a distributed engine that lost
   * Redis), so the node can say it is not ready. Engines without a backend leave it out.
   */
  readonly connected?: boolean

  /** Connects to backends and attaches the node's hub. Called once, before any other method. */
  start(handler: EngineHandler): Promise<void>

  /**
   * Appends to the channel's history and fans out to every node subscribed to the channel, as one
   * atomic step per channel: offsets are assigned gap-free in the order publishes resolve, and
   * every subscribed node sees the channel's publications in offset order. The promise resolves
   * only when the publication is durable to the engine's standard (committed, for sqlite).
   * Delivery to nodes is at most once; a node that misses one recovers from history.
   */
  publish(channel: string, data: string, options: PublishOptions): Promise<PublishResult>

  /** Fans a join/leave event out to subscribed nodes; never stored. At most once. */
  publishJoin(channel: string, info: ClientInfo): Promise<void>
  publishLeave(channel: string, info: ClientInfo): Promise<void>

  /** Fans a control message out to every node, this one included. At most once. */
  publishControl(message: ControlMessage): Promise<void>

  /**
   * Starts delivering the channel's publications and join/leave events to this node's handler.
   * Idempotent; the hub calls it once per node when the first local subscriber arrives. Stores no
   * stream for the channel. While subscribed on a node, a channel's stream (offset and epoch) is
   * never forgotten there, however long it stays quiet.
   */
  subscribe(channel: string): Promise<void>
  /** Stops delivery for the channel on this node. Idempotent. */
  unsubscribe(channel: string): Promise<void>

  /**
   * Reads the channel's history; never stores anything. A channel never published to (or
   * forgotten) has offset 0 and an epoch its first publish adopts, so a subscriber that read
   * (0, E) gets offset 1 in epoch E. Engines remember such epochs boundedly; always for channels
   * subscribed on the reading node.
   */
  history(channel: string, query: HistoryQuery): Promise<HistoryResult>
  /** Drops the publications but keeps the offset and epoch, so subscribers see no jump. */
  removeHistory(channel: string): Promise<void>

  /**
   * Adds or refreshes one connection's presence entry; it expires `ttlMs` after the last refresh.
   * An engine that implements `userConnections` resolves with the user's live entries on the
   * channel after the add, counted in the same atomic step (1: the user's first connection on any
   * node), so join announcements need no second read and no two nodes both see "first".
   */
  addPresence(channel: string, info: ClientInfo, ttlMs: number): Promise<number | void>
  /**
   * Removes one connection's entry. An engine that implements `userConnections` resolves with the
   * user's live entries left on the channel (0: that was the last), or `undefined` when the entry
   * was not there (expired), atomically with the removal.
   */
  removePresence(channel: string, clientId: string): Promise<number | void>
  /** Live entries keyed by client id. */
  presence(channel: string): Promise<Record<string, ClientInfo>>
  presenceStats(channel: string): Promise<PresenceStats>
  /**
   * Optional: live presence entries of `user` on the channel, on every node, in O(1) (a per-user
   * count, no listing). Distributed engines that keep such counts implement it (and then report
   * counts from `addPresence`/`removePresence`); the hub decides join/leave announcements from
   * those counts instead of reading the channel's whole presence.
   */
  userConnections?(channel: string, user: string): Promise<number>

  /** Flushes pending writes and releases every resource (timers, handles, connections). */
  close(): Promise<void>
}

/**
 * The shared logger contract (`src/logger.ts`), which `createEngine`'s context takes. Re-exported
 * with the engine's types so the hub, which reaches leaves through the engine layer it may import,
 * uses the same interface.
 */
