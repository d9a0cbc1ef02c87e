/** One native-protocol connection: its state, subscriptions, replies and deadlines. */
import { randomUUID } from 'node:crypto'
import type { TokenVerifier } from '../../auth/types.js'
import { ErrorReason, PeerError } from '../../errors.js'
import type { Actor, ClientInfo, HubApi, HubEvent, StreamPosition, SubscribeResult, Subscriber } from '../../hub/types.js'
import type { Logger } from '../../logger.js'
import {
  disconnectCodeOf,
  disconnectReason,
  DisconnectCode,
  encodeError,
  encodePush,
  errorBodyOf,
  pingMessage,
  UnsubscribeCode,
  unsubscribeReason,
  type ClientCommand,
  type Push,
} from '../../protocol/centrifuge/index.js'
import type { Conn, PreparedMessage } from '../../server/types.js'
import { CommandQueue } from './command-queue.js'
import { centrifugeFormat } from './frame-encoder.js'
import type { ResolvedCentrifugeOptions } from './options.js'
import type { RpcRegistry } from './rpc-registry.js'
import type { SessionIndex } from './session-index.js'

/** @deprecated The shared `Logger` (src/logger.ts); this name remains for the mount hooks that still use it. */

/** What every session of one component shares. */
export type SessionDeps = {
  hub: HubApi
  auth: TokenVerifier | undefined
  rpc: RpcRegistry
  options: ResolvedCentrifugeOptions
  logger: Logger
  index: SessionIndex
  /** Runs one decoded command (see command-handler.ts); injected to keep this file about state. */
  handle: (session: Session, command: ClientCommand) => Promise<void>
}

/** One channel this connection is subscribed to. */
export type SessionSub = {
  /** Made by the server (personal channel, token `channels`/`subs`, server API), not by a client `subscribe`. */
  serverSide: boolean
  /** Deliver join/leave pushes on this channel. */
  joinLeave: boolean
  /** Subscription expiry (ms since the epoch) from its token; undefined: never. */
  expiresAtMs?: number
}

export type SessionState = 'connecting' | 'connected' | 'failed' | 'closed'

/** Buffered reply characters that are written at once rather than at the end of the frame. */
const replyFlushChars = 65_536

/** What `Session.seat` subscribes with. */
export type SeatRequest = {
  /** Skip the namespace's subscribe policy: a token or the server granted the channel. */
  granted: boolean
  /** Recover from this position. */
  since?: StreamPosition | undefined
  /** The subscription token's `info`, as JSON text. */
  chanInfo?: string | undefined
  /** Refuse (and undo) a recovery that failed instead of answering `recovered: false`. */
  rejectUnrecovered?: boolean | undefined
}

/**
 * One native-protocol connection: its identity, subscriptions, timers' bookkeeping and output
 * buffer. It is the connection's `Subscriber` in the hub.
 *
 * Commands run one at a time in arrival order (frames are queued). Replies are buffered and
 * written together — at the end of a frame, and always before any push or ping, so a subscribe
 * reply precedes that channel's publications.
 */
export class Session implements Subscriber<PreparedMessage> {
  readonly conn: Conn
  readonly clientId = randomUUID()
  readonly format = centrifugeFormat
  readonly deps: SessionDeps
  readonly openedAtMs: number
  readonly subs = new Map<string, SessionSub>()
  /** Channels with a subscribe in flight (client or server-side). */
  readonly #pending = new Set<string>()
  #userId = ''
  /** The connection token's `info`, parsed and as JSON text (`conn_info`). */
  #info: unknown
  #connInfo: string | undefined
  /** Connection expiry (ms since the epoch); undefined: never. */
  #expiresAtMs: number | undefined
  #state: SessionState = 'connecting'
  /** Set once a subscription with an expiry exists, so `tick` skips the scan for everyone else. */
  #hasExpiringSubs = false
  #nextPingAtMs = 0
  #awaitingPongSinceMs: number | undefined
  readonly #commands: CommandQueue
  #out: string[] = []
  /** Characters buffered in `#out`. */
  #outChars = 0
  /** Characters of reply ever buffered: a frame's reply budget is measured against it. */
  #repliedChars = 0

  constructor(conn: Conn, deps: SessionDeps, nowMs: number) {
    this.conn = conn
    this.deps = deps
    this.openedAtMs = nowMs
    this.#commands = new CommandQueue(this, nowMs)
  }

  get isClosed(): boolean {
    return this.#state === 'closed'
  }

  get state(): SessionState {
    return this.#state
  }

  /** '' until `connect` names a user (and for anonymous connections). */
  get userId(): string {
    return this.#userId
  }

  get info(): unknown {
    return this.#info
  }

  get connInfo(): string | undefined {
    return this.#connInfo
  }

  get expiresAtMs(): number | undefined {
    return this.#expiresAtMs
  }

  /** This connection as the hub's actor (whose namespace policy applies). */
  get actor(): Actor {
    return { userId: this.#userId, clientId: this.clientId }
  }

  /** This connection as a presence entry or publication author; `chanInfo` is JSON text. */
  clientInfo(chanInfo?: string): ClientInfo {
    const info: ClientInfo = { user: this.#userId, client: this.clientId }
    if (this.#connInfo !== undefined) info.connInfo = this.#connInfo
    if (chanInfo !== undefined) info.chanInfo = chanInfo
    return info
  }

  /** Who the connection is: set once, by `connect`. */
  identify(userId: string): void {
    this.#userId = userId
  }

  /** A connection token's `info` and expiry (ms since the epoch; undefined: never), at connect or refresh. */
  setCredentials(info: unknown, expiresAtMs: number | undefined): void {
    this.#info = info
    this.#connInfo = info === undefined ? undefined : JSON.stringify(info)
    this.#expiresAtMs = expiresAtMs
  }

  /** A new connection expiry from the server API; undefined: never. */
  setExpiry(expiresAtMs: number | undefined): void {
    this.#expiresAtMs = expiresAtMs
  }

  /** `connect` succeeded: the session is found by user from now on, and its first ping is scheduled (jittered). */
  markConnected(nowMs: number): void {
    this.#state = 'connected'
    this.deps.index.connected(this)
    const pingMs = this.deps.options.pingIntervalMs
    this.#nextPingAtMs = nowMs + (pingMs > 0 ? Math.floor(pingMs * (0.5 + Math.random() / 2)) : 0)
  }

  /** Whether `channel` is subscribed, or has a subscribe in flight. */
  hasSub(channel: string): boolean {
    return this.subs.has(channel) || this.#pending.has(channel)
  }

  /**
   * The one subscribe flow, for a client's `subscribe`, the server-side channels of `connect` and
   * the server API's `subscribe`: seats the session on `channel` in the hub (recovering from
   * `since`) and records the subscription (`sub.joinLeave` only where the namespace has them).
   * Undefined when the connection closed meanwhile: the seat is undone. With
   * `rejectUnrecovered`, a recovery that failed is undone and refused (unrecoverablePosition).
   * The caller replies, then calls `activate()` on the result.
   */
  async seat(channel: string, request: SeatRequest, sub: SessionSub): Promise<SubscribeResult | undefined> {
    const { hub } = this.deps
    const { since } = request
    let result: SubscribeResult
    this.#pending.add(channel)
    try {
      result = await hub.subscribe(this, channel, {
        info: this.clientInfo(request.chanInfo),
        granted: request.granted,
        ...(since === undefined ? {} : { since }),
      })
    } finally {
      this.#pending.delete(channel)
    }
    if (this.isClosed) {
      await hub.unsubscribe(this, channel)
      return undefined
    }
    if (since !== undefined && !result.recovered && request.rejectUnrecovered === true) {
      await hub.unsubscribe(this, channel)
      throw new PeerError(ErrorReason.unrecoverablePosition, 'unrecoverable position')
    }
    this.subs.set(channel, { ...sub, joinLeave: sub.joinLeave && result.joinLeave })
    if (sub.expiresAtMs !== undefined) this.#hasExpiringSubs = true
    return result
  }

  /** Moves a subscription's expiry (ms since the epoch; undefined: never). */
  setSubExpiry(sub: SessionSub, expiresAtMs: number | undefined): void {
    if (expiresAtMs === undefined) {
      delete sub.expiresAtMs
      return
    }
    sub.expiresAtMs = expiresAtMs
    this.#hasExpiringSubs = true
  }

  /** Queues a frame's commands behind those of earlier frames (see `CommandQueue`). Never rejects. */
  receive(frame: string): Promise<void> {
    return this.#commands.receive(frame)
  }

  /** Runs `task` in the command queue, so it never interleaves with a command. Never rejects. */
  enqueue(task: () => Promise<void>): Promise<void> {
    return this.#commands.enqueue(task)
  }

  /** Characters of reply ever buffered: frame reply budgets are measured against it. */
  get repliedChars(): number {
    return this.#repliedChars
  }

  /** The client answered a ping. */
  notePong(): void {
    this.#awaitingPongSinceMs = undefined
  }

  /** A `connect` was refused: the connection waits for the stale timeout (or closes). */
  markConnectFailed(): void {
    if (this.#state === 'connecting') this.#state = 'failed'
  }

  /** Logs our own failure with the session's identity. */
  logInternal(error: unknown, message: string, command?: string): void {
    this.#internalError(error, message, command)
  }

  /** Ends the session for `error`: a refusal with a disconnect reason closes with its code, anything else with 3004. */
  fail(error: unknown): void {
    if (error instanceof PeerError && error.disconnect !== undefined) {
      const closeCode = disconnectCodeOf(error.disconnect)
      this.deps.logger.debug({ client: this.clientId, reason: error.reason, closeCode, message: error.message }, 'peer error')
      this.close(closeCode)
      return
    }
    this.#internalError(error, 'session failed')
    this.close(DisconnectCode.internal)
  }

  #internalError(error: unknown, message: string, command?: string): void {
    this.deps.logger.error({ err: error, client: this.clientId, user: this.userId, command }, message)
  }

  /**
   * Buffers one reply line, written at the end of the frame, before the next push, or as soon as
   * `replyFlushChars` are buffered: replies go out (and meet the slow-consumer limit) as they are
   * produced, never as one unbounded write.
   */
  reply(line: string): void {
    this.#out.push(line)
    this.#outChars += line.length
    this.#repliedChars += line.length
    if (this.#outChars >= replyFlushChars) this.flush()
  }

  /** Buffers the error reply of a refusal: its reason's code, its message or the code's default. */
  replyError(id: number, error: PeerError): void {
    this.reply(encodeError(id, errorBodyOf(error)))
  }

  /** Writes a push now (after any buffered replies). */
  push(push: Push): void {
    this.#out.push(encodePush(push))
    this.flush()
  }

  flush(): void {
    if (this.#out.length === 0) return
    const lines = this.#out
    this.#out = []
    this.#outChars = 0
    if (this.#state !== 'closed') this.conn.send(lines.length === 1 ? (lines[0] as string) : lines.join('\n'))
  }

  /** Hub delivery. Join/leave only on subscriptions that asked for them. */
  deliver(frame: PreparedMessage, event: HubEvent): void {
    if (this.#state === 'closed') return
    if (event.type !== 'publication' && this.subs.get(event.channel)?.joinLeave !== true) return
    this.flush()
    this.conn.sendPrepared(frame)
  }

  /**
   * The hub lost events for this subscriber: a client-side subscription is told to resubscribe
   * and recover (unsubscribe push 2500); a server-side one can only recover by reconnecting (3010).
   */
  onStreamLost(channel: string): void {
    const sub = this.subs.get(channel)
    if (sub === undefined || this.isClosed) return
    if (sub.serverSide) {
      this.close(DisconnectCode.insufficientState)
      return
    }
    this.dropSub(channel, UnsubscribeCode.insufficientState)
  }

  /** Removes a subscription server-side, tells the client with an unsubscribe push. */
  dropSub(channel: string, code: number): void {
    if (!this.subs.delete(channel)) return
    this.push({ type: 'unsubscribe', channel, code, reason: unsubscribeReason[code] ?? '' })
    this.deps.hub.unsubscribe(this, channel).catch((error: unknown) => this.#internalError(error, 'unsubscribe failed'))
  }

  /** Sends a ping when due and enforces pong, stale and expiry deadlines. Called by the housekeeper. */
  tick(nowMs: number): void {
    const { options } = this.deps
    if (this.#state === 'connecting' || this.#state === 'failed') {
      if (nowMs - this.openedAtMs >= options.staleCloseDelayMs) this.close(DisconnectCode.stale)
      return
    }
    if (this.#state !== 'connected') return
    if (this.#awaitingPongSinceMs !== undefined && nowMs - this.#awaitingPongSinceMs >= options.pongTimeoutMs) {
      this.close(DisconnectCode.noPong)
      return
    }
    if (this.#expiresAtMs !== undefined && nowMs >= this.#expiresAtMs + options.expiredCloseDelayMs) {
      this.close(DisconnectCode.expired)
      return
    }
    if (options.pingIntervalMs > 0 && nowMs >= this.#nextPingAtMs) {
      this.#nextPingAtMs = nowMs + options.pingIntervalMs
      this.reply(pingMessage)
      this.flush()
      if (this.#awaitingPongSinceMs === undefined) this.#awaitingPongSinceMs = nowMs
    }
    if (!this.#hasExpiringSubs) return
    for (const [channel, sub] of this.subs) {
      if (sub.expiresAtMs !== undefined && nowMs >= sub.expiresAtMs + options.expiredCloseDelayMs) {
        if (sub.serverSide) {
          this.close(DisconnectCode.subscriptionExpired)
          return
        }
        this.dropSub(channel, UnsubscribeCode.expired)
      }
    }
  }

  /** Closes the connection with a disconnect code (reason from the protocol table unless given). */
  close(code: number, reason?: string): void {
    if (this.#state === 'closed') return
    this.flush()
    this.#state = 'closed'
    this.conn.close(code, reason ?? disconnectReason[code] ?? '')
  }

  /** Marks the session closed (the connection is gone) without writing anything. */
  markClosed(): void {
    this.#out = []
    this.#outChars = 0
    this.#state = 'closed'
  }
}
