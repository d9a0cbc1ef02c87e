import { randomUUID } from 'node:crypto'
import type { TokenVerifier } from '../../auth/types.js'
import type { Logger } from '../../logger.js'
import { ErrorCode, ProtocolError } from '../../errors.js'
import type { HubApi, HubEvent, Subscriber } from '../../hub/types.js'
import {
  decodeCommand,
  disconnectReason,
  DisconnectCode,
  encodeError,
  encodePush,
  errorMessage,
  isTemporaryError,
  pingMessage,
  splitFrame,
  UnsubscribeCode,
  unsubscribeReason,
  type ClientCommand,
  type Push,
} from '../../protocol/centrifuge/index.js'
import type { Conn, PreparedMessage } from '../../server/types.js'
import { CommandRate } from './command-rate.js'
import { centrifugeFormat } from './frame-encoder.js'
import type { ResolvedCentrifugeOptions } from './options.js'
import type { RpcRegistry } from './rpc-registry.js'
import type { SessionIndex } from './session-index.js'

/** @deprecated The shared `Logger` (src/logger.ts); this name remains for the mount hooks that still use it. */
export type CentrifugeLogger = Logger

/** What every session of one component shares. */
export type SessionDeps = {
  hub: HubApi
  auth: TokenVerifier | undefined
  rpc: RpcRegistry
  options: ResolvedCentrifugeOptions
  logger: CentrifugeLogger
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
  readonly pending = new Set<string>()
  userId = ''
  /** The connection token's `info`, parsed and as JSON text (`conn_info`). */
  info: unknown
  connInfo: string | undefined
  /** Connection expiry (ms since the epoch); undefined: never. */
  expiresAtMs: number | undefined
  state: SessionState = 'connecting'
  /** Set once a subscription with an expiry exists, so `tick` skips the scan for everyone else. */
  hasExpiringSubs = false
  nextPingAtMs = 0
  awaitingPongSinceMs: number | undefined
  readonly #rate: CommandRate
  #out: string[] = []
  #queue: Promise<void> = Promise.resolve()

  constructor(conn: Conn, deps: SessionDeps, nowMs: number) {
    this.conn = conn
    this.deps = deps
    this.openedAtMs = nowMs
    const { maxCommandsPerSecond, commandBurst, maxRejectedPerSecond } = deps.options
    this.#rate = new CommandRate(maxCommandsPerSecond, commandBurst, maxRejectedPerSecond, nowMs)
  }

  get isClosed(): boolean {
    return this.state === 'closed'
  }

  /** Queues a frame's commands behind those of earlier frames. Never rejects. */
  receive(frame: string): Promise<void> {
    this.#queue = this.#queue.then(() => this.#process(frame))
    return this.#queue
  }

  /** Runs `task` in the command queue, so it never interleaves with a command. Never rejects. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      if (this.isClosed) return
      try {
        await task()
      } catch (error) {
        this.#internalError(error, 'queued task failed')
      }
      this.flush()
    })
    return this.#queue
  }

  async #process(frame: string): Promise<void> {
    for (const line of splitFrame(frame)) {
      if (this.state === 'closed') return
      let command: ClientCommand
      try {
        command = decodeCommand(line)
      } catch (error) {
        this.#fail(error)
        return
      }
      if (command.type === 'pong') {
        this.awaitingPongSinceMs = undefined
        continue
      }
      const verdict = this.#rate.take(Date.now())
      if (verdict === 'abuse') {
        this.close(DisconnectCode.tooManyRequests)
        return
      }
      if (verdict === 'refuse') {
        if ('id' in command) this.replyError(command.id, new ProtocolError(ErrorCode.tooManyRequests, errorMessage[111] ?? ''))
        continue
      }
      try {
        await this.deps.handle(this, command)
      } catch (error) {
        if (!this.#answerFailure(command, error)) return
      }
    }
    this.flush()
  }

  /** Turns a failed command into an error reply (true) or a close (false). */
  #answerFailure(command: ClientCommand, error: unknown): boolean {
    const id = 'id' in command ? command.id : 0
    if (error instanceof ProtocolError) {
      if (error.closeCode !== undefined) {
        this.#fail(error)
        return false
      }
      if (command.type === 'connect') this.state = 'failed'
      if (id !== 0) this.replyError(id, error)
      return true
    }
    this.#internalError(error, 'command failed', command.type)
    if (command.type === 'connect') this.state = 'failed'
    if (id !== 0) this.replyError(id, new ProtocolError(ErrorCode.internal, errorMessage[100] ?? ''))
    return true
  }

  #internalError(error: unknown, message: string, command?: string): void {
    this.deps.logger.error({ err: error, client: this.clientId, user: this.userId, command }, message)
  }

  #fail(error: unknown): void {
    if (error instanceof ProtocolError && error.closeCode !== undefined) {
      this.deps.logger.debug({ client: this.clientId, code: error.code, closeCode: error.closeCode, reason: error.message }, 'peer error')
      this.close(error.closeCode)
      return
    }
    this.#internalError(error, 'session failed')
    this.close(DisconnectCode.internal)
  }

  /** Buffers one reply line; written at the end of the frame or before the next push. */
  reply(line: string): void {
    this.#out.push(line)
  }

  replyError(id: number, error: ProtocolError): void {
    const temporary = isTemporaryError(error.code) || error.code < 100
    this.reply(encodeError(id, { code: error.code, message: error.message || (errorMessage[error.code] ?? ''), temporary }))
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
    if (this.state !== 'closed') this.conn.send(lines.length === 1 ? (lines[0] as string) : lines.join('\n'))
  }

  /** Hub delivery. Join/leave only on subscriptions that asked for them. */
  deliver(frame: PreparedMessage, event: HubEvent): void {
    if (this.state === 'closed') return
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
    if (this.state === 'connecting' || this.state === 'failed') {
      if (nowMs - this.openedAtMs >= options.staleCloseDelayMs) this.close(DisconnectCode.stale)
      return
    }
    if (this.state !== 'connected') return
    if (this.awaitingPongSinceMs !== undefined && nowMs - this.awaitingPongSinceMs >= options.pongTimeoutMs) {
      this.close(DisconnectCode.noPong)
      return
    }
    if (this.expiresAtMs !== undefined && nowMs >= this.expiresAtMs + options.expiredCloseDelayMs) {
      this.close(DisconnectCode.expired)
      return
    }
    if (options.pingIntervalMs > 0 && nowMs >= this.nextPingAtMs) {
      this.nextPingAtMs = nowMs + options.pingIntervalMs
      this.reply(pingMessage)
      this.flush()
      if (this.awaitingPongSinceMs === undefined) this.awaitingPongSinceMs = nowMs
    }
    if (!this.hasExpiringSubs) return
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
    if (this.state === 'closed') return
    this.flush()
    this.state = 'closed'
    this.conn.close(code, reason ?? disconnectReason[code] ?? '')
  }

  /** Marks the session closed (the connection is gone) without writing anything. */
  markClosed(): void {
    this.#out = []
    this.state = 'closed'
  }
}
