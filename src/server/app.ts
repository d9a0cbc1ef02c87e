/**
 * `App`: one HTTP(S) server routing WebSocket upgrades to components and plain requests to handlers.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Registry } from 'prom-client'
import { appDefaults, resolveRouteLimits, type AppOptions, type RouteLimits, type RouteOnlyOptions, type RouteOptions } from './app-options.js'
import { Dispatch, type Gate } from './dispatch.js'
import { checkHandshake, refuseUpgrade, type Refusal } from './handshake.js'
import { Keepalive } from './keepalive.js'
import { ServerMetrics } from './metrics.js'
import { OriginPolicy } from './origin-policy.js'
import { prepareMessage } from './prepared-message.js'
import { pathOf, Router } from './router.js'
import { SocketConn } from './socket-conn.js'
import type { Component, HttpHandler, PreparedMessage } from './types.js'
import { WsUpgrader, type TransportEvents, type TransportSocket } from './ws-transport.js'
import { silentLogger, type Logger } from '../logger.js'
import { peerEventLogger } from './peer-event-logger.js'
import { browsableUrl } from './browsable-url.js'
import { AddressLimits } from './address-limits.js'
import { ClientAddressResolver } from './client-address.js'
import { defaultMaxConnections } from './open-file-limit.js'

/** 'starting' until `listen` resolves; 'draining' from `close` until every connection is gone. */
export type AppState = 'starting' | 'ready' | 'draining' | 'closed'

export type CloseOptions = {
  /** How long connections get to finish their close handshake before they are dropped. Default 10,000. */
  timeoutMs?: number
  /** How long `/readyz` answers 503 (so load balancers move away) before connections are closed. Default 0. */
  drainDelayMs?: number
}

type WsRoute = {
  path: string
  component: Component
  dispatch: Dispatch
  origins: OriginPolicy
  limits: RouteLimits
  upgrader: WsUpgrader
  /** 0: no cap of the route's own. */
  maxConnections: number
  open: number
}

const SHUTDOWN_CLOSE_CODE = 1001

/**
 * The server: one node:http (or node:https, with `tls`) server carrying WebSocket routes bound to
 * components and plain HTTP routes, on one port.
 *
 * ```ts
 * const app = new App({ port: 8080 })
 * app.route('/echo', new EchoServer(), ['https://example.com'])
 * await app.listen()
 * ```
 *
 * Handshake refusals are HTTP answers before the upgrade: 404 unknown path, 405 not GET, 400 bad
 * Upgrade header or key, 426 unsupported version (or a plain GET on a WebSocket route), 403
 * origin not allowed, 503 not ready or `maxConnections` reached.
 */
export class App {
  readonly logger: Logger
  readonly metrics: ServerMetrics
  readonly #options: AppOptions
  /** Lines about what peers do (refusals, peer errors, slow consumers), within a budget. */
  readonly #peerLogger: Logger
  readonly #server: Server
  readonly #routes = new Router<WsRoute>()
  readonly #mounts = new Router<HttpHandler>()
  readonly #conns = new Set<SocketConn>()
  readonly #maxConnections: number
  readonly #clientAddresses: ClientAddressResolver
  readonly #addressLimits: AddressLimits
  readonly #keepalive: Keepalive<SocketConn>
  readonly #drainWaiters: Array<() => void> = []
  #state: AppState = 'starting'
  #closing: Promise<void> | undefined

  constructor(options: AppOptions = {}) {
    this.#options = options
    this.logger = options.logger ?? silentLogger
    this.#peerLogger = peerEventLogger(this.logger)
    this.#maxConnections = options.maxConnections ?? defaultMaxConnections()
    this.#clientAddresses = new ClientAddressResolver(options.trustedProxies)
    this.#addressLimits = new AddressLimits({
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? appDefaults.maxConnectionsPerAddress,
      handshakesPerSecondPerAddress: options.handshakesPerSecondPerAddress ?? appDefaults.handshakesPerSecondPerAddress,
    })
    this.metrics = new ServerMetrics(options.registry)
    this.#server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer()
    this.#server.on('request', (req, res) => this.#onRequest(req, res))
    this.#server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket, head))
    this.#keepalive = new Keepalive(
      options.keepaliveIntervalMs ?? appDefaults.keepaliveIntervalMs,
      () => this.#conns,
      (conn) => {
        this.metrics.keepaliveTimeout()
        this.#peerLogger.warn({ connId: conn.id }, 'no pong since the last ping: terminating')
      },
    )
  }

  get state(): AppState {
    return this.#state
  }

  get registry(): Registry {
    return this.metrics.registry
  }

  /** The bound port (0 before `listen`). */
  get port(): number {
    return this.address()?.port ?? 0
  }

  /** Open WebSocket connections allowed: the `maxConnections` option, or the default derived from the open-file limit. */
  get maxConnections(): number {
    return this.#maxConnections
  }

  /** Open WebSocket connections. */
  get connectionCount(): number {
    return this.#conns.size
  }

  address(): AddressInfo | null {
    const address = this.#server.address()
    return typeof address === 'object' ? address : null
  }

  /**
   * Binds a WebSocket path to a component. `path` is exact, or a prefix when it ends with `/*`.
   * `allowedOrigins` is the origin allow-list (see `OriginPolicy`; default: the server's own host
   * only); `routeOptions` override the App's limits for this route.
   */
  route(path: string, component: Component, allowedOrigins?: readonly string[], routeOptions?: RouteOptions & RouteOnlyOptions): this {
    const limits = resolveRouteLimits(this.#options, routeOptions)
    const closeTimeoutMs = this.#options.closeHandshakeTimeoutMs ?? appDefaults.closeHandshakeTimeoutMs
    this.#routes.add(path, {
      path,
      component,
      limits,
      origins: new OriginPolicy(allowedOrigins),
      upgrader: new WsUpgrader(limits, closeTimeoutMs, (req, socket) =>
        this.#refuse(req, socket, { status: 400, reason: 'bad_negotiation' }),
      ),
      dispatch: new Dispatch(component, this.#peerLogger.child({ route: path }), (_conn, phase) =>
        this.metrics.componentError(phase),
      ),
      maxConnections: routeOptions?.maxRouteConnections ?? 0,
      open: 0,
    })
    return this
  }

  /** Serves plain HTTP on `path` (exact, or a prefix when it ends with `/*`). A thrown error answers 500. */
  mount(path: string, handler: HttpHandler): this {
    this.#mounts.add(path, handler)
    return this
  }

  /** Frames `data` once; `conn.sendPrepared(message)` then writes the same bytes to each connection. */
  prepare(data: string | Uint8Array): PreparedMessage {
    return prepareMessage(data)
  }

  /** Starts listening; resolves with the bound address (`port: 0` picks a free port). */
  async listen(): Promise<AddressInfo> {
    const port = this.#options.port ?? appDefaults.port
    const host = this.#options.host ?? appDefaults.host
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject)
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject)
        resolve()
      })
    })
    this.#state = 'ready'
    this.#keepalive.start()
    const address = this.address()
    if (address === null) throw new Error('server is not bound to a TCP address')
    const tls = this.#options.tls !== undefined
    this.logger.info({ url: browsableUrl(address.address, address.port, tls), host: address.address, port: address.port, tls }, 'listening')
    return address
  }

  /**
   * Swaps the TLS certificate and key (PEM) for new handshakes; open connections keep theirs.
   * Throws, leaving the current pair in place, when the pair is unusable or the App serves plain HTTP.
   */
  reloadTls(tls: { cert: string | Buffer; key: string | Buffer }): void {
    if (this.#options.tls === undefined) throw new Error('this server was started without TLS')
    ;(this.#server as HttpsServer).setSecureContext({ cert: tls.cert, key: tls.key })
  }

  /** Ratchet's name for `listen`. */
  run(): Promise<AddressInfo> {
    return this.listen()
  }

  /**
   * Graceful shutdown: `/readyz` turns 503, then (after `drainDelayMs`) the server stops
   * accepting and closes every connection with 1001. Resolves when all are gone, or after
   * `timeoutMs` once the rest have been dropped. Calling it again returns the same promise.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.timeoutMs ?? appDefaults.closeTimeoutMs, options.drainDelayMs ?? 0)
    return this.#closing
  }

  async #shutdown(timeoutMs: number, drainDelayMs: number): Promise<void> {
    if (this.#state === 'starting' && !this.#server.listening) {
      this.#state = 'closed'
      return
    }
    this.#state = 'draining'
    this.logger.info({ connections: this.#conns.size }, 'draining')
    if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs))
    this.#keepalive.stop()
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    for (const conn of this.#conns) conn.close(SHUTDOWN_CLOSE_CODE, 'server shutting down')
    await this.#drainedWithin(timeoutMs)
    for (const conn of this.#conns) conn.terminate()
    this.#server.closeAllConnections()
    // A destroyed socket reports its close within a turn or two; never hang shutdown on one.
    await this.#drainedWithin(1_000)
    await serverClosed
    this.#state = 'closed'
    this.logger.info({}, 'closed')
  }

  /** Resolves when no connection is left, or after `timeoutMs`. */
  async #drainedWithin(timeoutMs: number): Promise<void> {
    if (this.#conns.size === 0) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      new Promise<void>((resolve) => this.#drainWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ])
    clearTimeout(timer)
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url)
    if (this.#routes.match(path) !== undefined) {
      this.metrics.refused(426, 'no_upgrade')
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Upgrade Required: this path speaks WebSocket\n')
      return
    }
    const handler = this.#mounts.match(path)
    if (handler === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Not Found\n')
      return
    }
    const failed = (error: unknown) => {
      this.#peerLogger.error({ err: error, method: req.method, url: req.url }, 'HTTP handler failed')
      if (res.headersSent) {
        res.destroy()
        return
      }
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('Internal Server Error\n')
    }
    try {
      const result = handler(req, res)
      if (result instanceof Promise) result.catch(failed)
    } catch (error) {
      failed(error)
    }
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.logger.debug({ err: error }, 'socket error during the handshake'))
    const route = this.#routes.match(pathOf(req.url))
    if (route === undefined) return this.#refuse(req, socket, { status: 404, reason: 'unknown_path' })
    const invalid = checkHandshake(req)
    if (invalid !== undefined) return this.#refuse(req, socket, invalid)
    if (this.#state !== 'ready') return this.#refuse(req, socket, { status: 503, reason: 'not_ready' })
    const address = this.#clientAddresses.resolve(req.socket.remoteAddress ?? '', req.headers)
    if (!this.#addressLimits.admitHandshake(address)) {
      return this.#refuse(req, socket, { status: 429, reason: 'address_handshake_rate', headers: { 'Retry-After': '1' } }, address)
    }
    if (this.#conns.size >= this.#maxConnections) {
      return this.#refuse(req, socket, { status: 503, reason: 'too_many_connections' }, address)
    }
    if (route.maxConnections > 0 && route.open >= route.maxConnections) {
      return this.#refuse(req, socket, { status: 503, reason: 'route_full' }, address)
    }
    if (!this.#addressLimits.hasRoom(address)) {
      return this.#refuse(req, socket, { status: 429, reason: 'address_connections' }, address)
    }
    if (!route.origins.allows(req.headers.origin, req.headers.host)) {
      return this.#refuse(req, socket, { status: 403, reason: 'origin' }, address)
    }
    route.upgrader.upgrade(req, socket, head, (transport) => this.#accept(route, req, transport, address))
  }

  #refuse(req: IncomingMessage, socket: Duplex, refusal: Refusal, address: string = req.socket.remoteAddress ?? ''): void {
    this.metrics.refused(refusal.status, refusal.reason)
    this.#peerLogger.warn(
      { status: refusal.status, reason: refusal.reason, url: req.url, origin: req.headers.origin, remoteAddress: address },
      'handshake refused',
    )
    refuseUpgrade(socket, refusal)
  }

  #accept(route: WsRoute, req: IncomingMessage, transport: TransportSocket, address: string): TransportEvents {
    const conn = new SocketConn({
      transport,
      remoteAddress: address,
      request: { url: req.url ?? '/', headers: req.headers },
      route: route.path,
      limits: route.limits,
      counters: this.metrics,
      onSlowConsumer: (slow, bufferedBytes) => {
        this.metrics.slowConsumer()
        this.#peerLogger.warn({ connId: slow.id, bufferedBytes }, 'slow consumer: closing')
      },
    })
    this.#conns.add(conn)
    route.open++
    this.#addressLimits.opened(address)
    this.metrics.opened(route.path)
    this.logger.debug({ connId: conn.id, route: route.path, remoteAddress: conn.remoteAddress }, 'open')
    // Set by `open`; a connection that never opened (see WsUpgrader.upgrade) gets no callbacks.
    let gate: Gate | undefined
    const metrics = this.metrics
    const dispatch = route.dispatch
    return {
      open: () => {
        gate = dispatch.open(conn)
      },
      message: (data, isBinary) => {
        if (gate === undefined || !conn.isOpen) return
        metrics.messagesIn++
        metrics.bytesIn += data.length
        dispatch.message(conn, gate, isBinary ? data : data.toString('utf8'), isBinary)
      },
      pong: () => {
        conn.alive = true
      },
      peerError: (closeCode, error) => {
        conn.markClosing(closeCode)
        this.#peerLogger.warn({ connId: conn.id, closeCode, code: (error as { code?: unknown }).code }, 'peer error')
      },
      close: (code, reason) => {
        conn.markClosing()
        if (this.#conns.delete(conn)) {
          route.open--
          this.#addressLimits.closed(address)
        }
        const closeCode = conn.closeCodeSent ?? code
        this.metrics.closed(route.path, closeCode, conn.closeCodeSent !== undefined)
        this.logger.debug({ connId: conn.id, code: closeCode, reason }, 'close')
        if (gate !== undefined) dispatch.close(conn, gate, closeCode, reason)
        if (this.#conns.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve()
      },
    }
  }
}
