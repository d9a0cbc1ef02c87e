/**
 * The native protocol's `Component`: one Centrifugo-compatible session per connection on top of the hub.
 */
import type { TokenVerifier } from '../../auth/types.js'
import type { HubApi } from '../../hub/types.js'
import { silentLogger, type Logger } from '../../logger.js'
import { DisconnectCode } from '../../protocol/centrifuge/index.js'
import { prepareMessage } from '../../server/prepared-message.js'
import type { Component, Conn, PreparedMessage } from '../../server/types.js'
import { handleCommand } from './command-handler.js'
import { registerControlHandlers } from './control.js'
import { CentrifugeFrameEncoder, centrifugeFormat } from './frame-encoder.js'
import { Housekeeper } from './housekeeper.js'
import { resolveCentrifugeOptions, type CentrifugeOptions, type ResolvedCentrifugeOptions } from './options.js'
import { RpcRegistry } from './rpc-registry.js'
import { Session, type SessionDeps } from './session.js'
import { SessionIndex } from './session-index.js'

export type CentrifugeComponentDeps = {
  hub: HubApi
  /** Verifies connection and subscription tokens. Without one, every token is refused (3500 / 103). */
  auth?: TokenVerifier
  /** RPC methods and the `send` handler. Default: an empty registry (every rpc → 104, send → close 3508). */
  rpc?: RpcRegistry
  options?: CentrifugeOptions
  logger?: Logger
  /** Frames a push once for many connections. Default: the server's `prepareMessage` (what `App.prepare` does). */
  prepare?: (text: string) => PreparedMessage
}

const textDecoder = new TextDecoder()

/**
 * The native protocol: a Centrifugo-compatible JSON session per connection (see
 * docs/protocol.md). Registers its wire format (`centrifuge-json`) and its control-message
 * handlers on the hub when constructed; `close()` undoes both.
 *
 * Per-connection state lives in a `Session` kept in a WeakMap by `Conn`. One housekeeping timer
 * serves every session (pings, pong/stale/expiry deadlines).
 */
export class CentrifugeComponent implements Component {
  readonly options: ResolvedCentrifugeOptions
  readonly rpc: RpcRegistry
  readonly #sessions = new WeakMap<Conn, Session>()
  readonly #index = new SessionIndex()
  readonly #deps: SessionDeps
  readonly #housekeeper: Housekeeper
  readonly #unregisterControl: () => void

  constructor(deps: CentrifugeComponentDeps) {
    this.options = resolveCentrifugeOptions(deps.options)
    this.rpc = deps.rpc ?? new RpcRegistry()
    const logger = deps.logger ?? silentLogger
    this.#deps = {
      hub: deps.hub,
      auth: deps.auth,
      rpc: this.rpc,
      options: this.options,
      logger,
      index: this.#index,
      handle: handleCommand,
    }
    deps.hub.registerFormat(centrifugeFormat, new CentrifugeFrameEncoder(deps.prepare ?? prepareMessage))
    this.#unregisterControl = registerControlHandlers(deps.hub, this.#index, logger)
    this.#housekeeper = new Housekeeper(this.#index, this.options.tickMs, logger)
    this.#housekeeper.start()
  }

  /** Native-protocol connections open on this node (connected or not yet). */
  get sessionCount(): number {
    return this.#index.size
  }

  onOpen(conn: Conn): void {
    const session = new Session(conn, this.#deps, Date.now())
    this.#sessions.set(conn, session)
    this.#index.add(session)
  }

  onMessage(conn: Conn, data: string | Uint8Array): Promise<void> | undefined {
    const session = this.#sessions.get(conn)
    if (session === undefined) return undefined
    return session.receive(typeof data === 'string' ? data : textDecoder.decode(data))
  }

  async onClose(conn: Conn): Promise<void> {
    const session = this.#sessions.get(conn)
    if (session === undefined) return
    this.#sessions.delete(conn)
    this.#index.remove(session)
    session.markClosed()
    session.subs.clear()
    await this.#deps.hub.removeSubscriber(session)
  }

  onError(conn: Conn, error: Error): void {
    this.#deps.logger.error({ err: error, connId: conn.id }, 'native protocol session failed')
  }

  /**
   * Closes every connection with 3001 "shutdown" (clients reconnect with backoff and recover).
   * Call before the server closes connections its own way.
   */
  shutdown(): void {
    for (const session of [...this.#index.all]) session.close(DisconnectCode.shutdown)
  }

  /** Stops the housekeeping timer and unregisters the control handlers. Idempotent. */
  close(): void {
    this.#housekeeper.stop()
    this.#unregisterControl()
  }
}
