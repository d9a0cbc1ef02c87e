/**
 * The Pusher protocol's `Component`: one `PusherSession` per connection on top of the hub, for
 * every configured app (the key in `/app/{key}` picks the app). See docs/pusher.md.
 */
import type { ControlMessage, HubApi } from '../../hub/types.js'
import { silentLogger, type Logger } from '../../logger.js'
import {
  decodeClientMessage,
  encodeConnectionEstablished,
  encodeError,
  PusherCode,
  PusherProtocolError,
  readTerminateControl,
  terminateKind,
  SocketIdGenerator,
  type PusherApps,
} from '../../protocol/pusher/index.js'
import { prepareMessage } from '../../server/prepared-message.js'
import type { Component, Conn, PreparedMessage } from '../../server/types.js'
import { PusherFrameEncoder, pusherFormat } from './frame-encoder.js'
import { handleMessage, type PusherDeps } from './handle-message.js'
import { checkHandshake } from './handshake.js'
import { Heartbeat } from './heartbeat.js'
import { pusherDefaults } from './options.js'
import { PusherSession } from './session.js'
import type { PusherWebhooks } from './webhooks/pusher-webhooks.js'

export type PusherComponentOptions = {
  hub: HubApi
  apps: PusherApps
  /** Prefix before `/app/{key}`; default ''. */
  path?: string
  /** Default 120. */
  activityTimeoutSeconds?: number
  /** Default 30,000. */
  pongTimeoutMs?: number
  /** Default 100. */
  maxMessagesPerSecond?: number
  /** Default 200. */
  messageBurst?: number
  logger?: Logger
  /** Frames a push once for many connections. Default: the server's `prepareMessage`. */
  prepare?: (text: string) => PreparedMessage
  /** The apps' webhooks (client events and cache misses are reported to it). */
  webhooks?: PusherWebhooks
}

const textDecoder = new TextDecoder()

/**
 * Pusher Channels protocol v7. Registers its wire format on the hub when constructed. Per
 * connection: the handshake checks (4001, 4003, 4004, 4005–4008, each an error event and a close
 * with the same code), `pusher:connection_established`, then messages counted against the
 * connection's message rate (past it: close 4100), decoded at the boundary (4300 / 4302
 * answered, never closed) and run by `handleMessage`.
 */
export class PusherComponent implements Component {
  readonly #hub: HubApi
  readonly #deps: PusherDeps
  readonly #apps: PusherApps
  readonly #path: string
  readonly #activityTimeoutSeconds: number
  readonly #messageRate: { perSecond: number; burst: number }
  readonly #logger: Logger
  readonly #sessions = new Map<Conn, PusherSession>()
  readonly #perApp = new Map<string, number>()
  readonly #ids = new SocketIdGenerator()
  readonly #heartbeat: Heartbeat
  readonly #unregisterControl: () => void

  constructor(options: PusherComponentOptions) {
    this.#hub = options.hub
    this.#deps = { hub: options.hub, webhooks: options.webhooks }
    this.#apps = options.apps
    this.#path = options.path ?? pusherDefaults.path
    this.#activityTimeoutSeconds = options.activityTimeoutSeconds ?? pusherDefaults.activityTimeoutSeconds
    this.#logger = options.logger ?? silentLogger
    this.#messageRate = {
      perSecond: options.maxMessagesPerSecond ?? pusherDefaults.maxMessagesPerSecond,
      burst: options.messageBurst ?? pusherDefaults.messageBurst,
    }
    options.hub.registerFormat(pusherFormat, new PusherFrameEncoder(options.prepare ?? prepareMessage))
    this.#heartbeat = new Heartbeat(() => this.#sessions.values(), this.#activityTimeoutSeconds, options.pongTimeoutMs ?? pusherDefaults.pongTimeoutMs)
    this.#heartbeat.start()
    this.#unregisterControl = options.hub.onControl(terminateKind, (message) => this.#terminate(message))
  }

  /** Pusher connections open on this node. */
  get sessionCount(): number {
    return this.#sessions.size
  }

  /** Open connections of one app on this node. */
  connectionsOf(appId: string): number {
    return this.#perApp.get(appId) ?? 0
  }

  /** The sessions of one app on this node (for the REST API's terminate_connections). */
  *sessionsOf(appId: string): Iterable<PusherSession> {
    for (const session of this.#sessions.values()) if (session.app.id === appId) yield session
  }

  onOpen(conn: Conn): void {
    const result = checkHandshake(conn.request.url, this.#path, this.#apps)
    if (!result.ok) {
      this.#refuse(conn, result.code, result.message)
      return
    }
    const { app } = result
    const count = this.connectionsOf(app.id)
    if (count >= app.maxConnections) {
      this.#refuse(conn, PusherCode.overQuota, 'app over connection quota')
      return
    }
    this.#perApp.set(app.id, count + 1)
    const session = new PusherSession(conn, app, this.#ids.next(), Date.now(), this.#messageRate)
    this.#sessions.set(conn, session)
    session.send(encodeConnectionEstablished(session.socketId, this.#activityTimeoutSeconds))
  }

  async onMessage(conn: Conn, data: string | Uint8Array): Promise<void> {
    const session = this.#sessions.get(conn)
    if (session === undefined) return
    const now = Date.now()
    session.seen(now)
    if (!session.messages.take(now)) {
      session.error(PusherCode.overCapacity, `more than ${this.#messageRate.perSecond} messages per second`, true)
      return
    }
    let message
    try {
      message = decodeClientMessage(typeof data === 'string' ? data : textDecoder.decode(data), session.app)
    } catch (error) {
      if (!(error instanceof PusherProtocolError)) throw error
      session.error(error.code, error.message)
      return
    }
    await handleMessage(this.#deps, session, message, now)
  }

  async onClose(conn: Conn): Promise<void> {
    const session = this.#sessions.get(conn)
    if (session === undefined) return
    this.#sessions.delete(conn)
    const left = this.connectionsOf(session.app.id) - 1
    if (left > 0) this.#perApp.set(session.app.id, left)
    else this.#perApp.delete(session.app.id)
    session.channels.clear()
    await this.#hub.removeSubscriber(session)
  }

  onError(conn: Conn, error: Error): void {
    this.#logger.error({ err: error, connId: conn.id, socketId: this.#sessions.get(conn)?.socketId }, 'pusher session failed')
  }

  /** Closes every connection with 4200: pusher-js reconnects at once (to another node). */
  shutdown(): void {
    for (const session of [...this.#sessions.values()]) session.error(PusherCode.reconnect, 'server shutting down', true)
  }

  /** Stops the heartbeat timer and unregisters the control handler. Idempotent. */
  close(): void {
    this.#heartbeat.stop()
    this.#unregisterControl()
  }

  /**
   * The REST API's `terminate_connections`, on every node: closes the app's connections on which
   * the user is a presence member, with 4009 (pusher-js does not reconnect).
   */
  #terminate(message: ControlMessage): void {
    const control = readTerminateControl(message)
    if (control === undefined) {
      this.#logger.warn({ kind: message.kind }, 'malformed terminate control message ignored')
      return
    }
    for (const session of [...this.sessionsOf(control.app)]) {
      if (session.isUser(control.user)) session.error(PusherCode.unauthorized, 'connection terminated by the app', true)
    }
  }

  #refuse(conn: Conn, code: PusherCode, message: string): void {
    conn.send(encodeError(code, message))
    conn.close(code, message)
  }
}
