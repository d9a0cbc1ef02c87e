/** `App` and route options, and their defaults. */
import type { Registry } from 'prom-client'
import type { Logger } from '../logger.js'

/** permessage-deflate settings. Off unless `enabled`. */
export type CompressionOptions = {
  enabled: boolean
  /** Messages smaller than this are sent uncompressed. Default 1024. */
  thresholdBytes?: number
  /**
   * zlib window of both directions, 9–15 (the server's and, when the client lets it choose, the
   * client's `max_window_bits`). Each connection keeps a deflate and an inflate stream; their
   * memory grows with 2^windowBits. Default 11 (2 KiB windows).
   */
  windowBits?: number
  /** zlib deflate memLevel, 1–9: memory 2^(memLevel + 9) bytes per connection. Default 4. */
  memLevel?: number
}

/**
 * Limits a route may override (the fourth argument of `App.route`). Every field defaults to the
 * App-wide value, which defaults to the value in `limitDefaults`.
 */
export type RouteOptions = {
  /** Largest message accepted, after inflating. Above it the connection closes with 1009. */
  maxMessageBytes?: number
  /** Most frames one message may arrive in. Above it the connection closes with 1009. */
  maxFragments?: number
  /** Bytes queued for one connection before it counts as a slow consumer and is closed. */
  maxBufferedBytes?: number
  /** Close code sent to a slow consumer. Default 1013 (try again later). */
  slowConsumerCloseCode?: number
  compression?: CompressionOptions
}

/** What `App.route` takes beyond the limits: a cap on the route's own connections. */
export type RouteOnlyOptions = {
  /** Open connections on this route; the next handshake gets HTTP 503. Default: no cap of its own (the App's applies). */
  maxRouteConnections?: number
}

/**
 * Everything `new App()` takes: a flat shape so a config file maps onto it field by field.
 * All fields are optional; defaults are documented per field and in docs/server.md.
 */
export type AppOptions = RouteOptions & {
  /** Interface to bind. Default '127.0.0.1'. */
  host?: string
  /** Port to bind; 0 picks a free one (read it back from `app.port`). Default 8080. */
  port?: number
  /** PEM certificate and key: serves https:// and wss:// on the same port. */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** Any `Logger` (a pino logger fits). Default: silent (library use). */
  logger?: Logger
  /** prom-client registry for the server's metrics. Default: a new one per App. */
  registry?: Registry
  /**
   * Open WebSocket connections allowed; the next handshake gets HTTP 503. Default: the process's
   * open-file limit less a tenth of it (at least 256 descriptors) kept for HTTP, the API, probes
   * and the engine; 20,000 where the limit cannot be read (see `defaultMaxConnections`).
   */
  maxConnections?: number
  /** Open connections one client address may hold; the next handshake gets HTTP 429. 0 (default): no limit. */
  maxConnectionsPerAddress?: number
  /** Handshakes per second one client address may make (a burst of as many); more get HTTP 429. 0 (default): no limit. */
  handshakesPerSecondPerAddress?: number
  /**
   * Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers name the client: addresses or
   * CIDR ranges. The client address then is the nearest untrusted hop; per-address limits and
   * logs use it. Default: none (the socket's address is the client's).
   */
  trustedProxies?: readonly string[]
  /** Ping period; a peer that has not ponged since the previous ping is terminated. 0 disables. Default 25,000. */
  keepaliveIntervalMs?: number
  /** How long a server-initiated close waits for the peer's close frame before dropping the socket. Default 5,000. */
  closeHandshakeTimeoutMs?: number
}

/** The limits in force on one route, every field resolved. */
export type RouteLimits = Required<Omit<RouteOptions, 'compression'>> & {
  compression: Required<CompressionOptions>
}

/**
 * Defaults of the per-route limits — the one place they are written: `App` and the config's
 * `limits` and `compression` sections both read them.
 */
export const limitDefaults: RouteLimits = {
  maxMessageBytes: 1024 * 1024,
  maxFragments: 65_536,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerCloseCode: 1013,
  compression: { enabled: false, thresholdBytes: 1024, windowBits: 11, memLevel: 4 },
}

/** Defaults of the App-wide options (and of `app.close`), read by `App` and the config schema alike. */
export const appDefaults = {
  host: '127.0.0.1',
  port: 8080,
  maxConnectionsPerAddress: 0,
  handshakesPerSecondPerAddress: 0,
  keepaliveIntervalMs: 25_000,
  closeHandshakeTimeoutMs: 5_000,
  /** `app.close({ timeoutMs })`; also the config's `shutdownTimeoutMs`. */
  closeTimeoutMs: 10_000,
} as const

/** Route options over App options over defaults. */
export function resolveRouteLimits(app: RouteOptions, route: RouteOptions = {}): RouteLimits {
  const pick = <K extends keyof RouteOptions>(key: K) => route[key] ?? app[key]
  const compression = pick('compression')
  return {
    maxMessageBytes: pick('maxMessageBytes') ?? limitDefaults.maxMessageBytes,
    maxFragments: pick('maxFragments') ?? limitDefaults.maxFragments,
    maxBufferedBytes: pick('maxBufferedBytes') ?? limitDefaults.maxBufferedBytes,
    slowConsumerCloseCode: pick('slowConsumerCloseCode') ?? limitDefaults.slowConsumerCloseCode,
    compression: {
      enabled: compression?.enabled ?? limitDefaults.compression.enabled,
      thresholdBytes: compression?.thresholdBytes ?? limitDefaults.compression.thresholdBytes,
      windowBits: compression?.windowBits ?? limitDefaults.compression.windowBits,
      memLevel: compression?.memLevel ?? limitDefaults.compression.memLevel,
    },
  }
}
