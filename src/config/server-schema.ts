/**
 * The config sections of the HTTP/WebSocket server itself (host, port, TLS, limits, keepalive, compression).
 */
import { isIP } from 'node:net'
import { z } from 'zod'
import { appDefaults, limitDefaults } from '../server/app-options.js'

/**
 * The sections that configure the HTTP/WebSocket server itself. Every default here is listed in
 * docs/config.md; keep the two in step. Defaults the `App` shares are read from `appDefaults` and
 * `limitDefaults` (src/server/app-options.ts), written once there; `host` differs on purpose (the
 * library binds 127.0.0.1, the server command every interface).
 */

/** Defaults of `sprocket serve` itself, not the library's `App`. */
export const serveDefaults = {
  /**
   * Long enough for a load balancer probing every second to see `/readyz` fail; unset, at most a
   * quarter of `shutdownTimeoutMs`.
   */
  shutdownDrainDelayMs: 2000,
  echo: { enabled: true, maxConnections: 1000 },
} as const

/** The drain delay `sprocket serve` waits on SIGTERM: the configured one, else the default within the shutdown time. */
export function shutdownDrainDelayMs(config: { shutdownTimeoutMs: number; shutdownDrainDelayMs?: number | undefined }): number {
  return config.shutdownDrainDelayMs ?? Math.min(serveDefaults.shutdownDrainDelayMs, Math.floor(config.shutdownTimeoutMs / 4))
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const positiveInt = () => z.number().int().positive()

/** PEM files for wss:// and https://. Both are required when the section is present. */
const tlsSchema = z.strictObject({
  cert: z.string().min(1),
  key: z.string().min(1),
})

/** Per-connection limits; a client passing one is closed with the documented close code. */
const limitsSchema = z.strictObject({
  /** Largest message accepted from a client (after reassembly and inflating), in bytes; larger closes with 1009. */
  maxMessageBytes: positiveInt().default(limitDefaults.maxMessageBytes),
  /** Most frames one message may arrive in; more closes with 1009. */
  maxFragments: positiveInt().default(limitDefaults.maxFragments),
  /** Bytes queued for a slow client before it is disconnected (close 1013). */
  maxBufferedBytes: positiveInt().default(limitDefaults.maxBufferedBytes),
  /**
   * Open WebSocket connections accepted by this process; more are refused with HTTP 503. Unset:
   * derived from the open-file limit (`defaultMaxConnections`).
   */
  maxConnections: positiveInt().optional(),
  /** Open connections one client address may hold; more get HTTP 429. 0: no limit. */
  maxConnectionsPerAddress: z.number().int().nonnegative().default(appDefaults.maxConnectionsPerAddress),
  /** Handshakes per second one client address may make; more get HTTP 429. 0: no limit. */
  handshakesPerSecondPerAddress: z.number().int().nonnegative().default(appDefaults.handshakesPerSecondPerAddress),
})

/** The WebSocket echo route `/echo`: anonymous, so capped on its own. */
const echoSchema = z.strictObject({
  enabled: z.boolean().default(serveDefaults.echo.enabled),
  /** Open connections on `/echo`; more are refused with HTTP 503. */
  maxConnections: positiveInt().default(serveDefaults.echo.maxConnections),
})

/** The Prometheus endpoint `/metrics`. */
const metricsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: z.string().min(16).optional(),
  /** When set, `/metrics` is served on this port of `metrics.host` only, not on the main port. */
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).default('127.0.0.1'),
})

/** An IPv4 or IPv6 address, or a CIDR range of either. */
const proxyAddress = z.string().refine((entry) => {
  const [address = '', prefix] = entry.split('/')
  return isIP(address) !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix))
}, 'not an IP address or CIDR range')

const keepaliveSchema = z.strictObject({
  /** How often the server pings each connection; a peer that missed the last ping is dropped. 0 disables. */
  intervalMs: z.number().int().nonnegative().default(appDefaults.keepaliveIntervalMs),
})

const compressionSchema = z.strictObject({
  /** permessage-deflate; costs CPU and memory per connection. */
  enabled: z.boolean().default(limitDefaults.compression.enabled),
  /** Messages smaller than this are sent uncompressed. */
  thresholdBytes: z.number().int().nonnegative().default(limitDefaults.compression.thresholdBytes),
  /** zlib window of both directions (9–15): memory per connection grows with 2^windowBits. */
  windowBits: z.number().int().min(9).max(15).default(limitDefaults.compression.windowBits),
  /** zlib deflate memLevel (1–9): 2^(memLevel + 9) bytes per connection. */
  memLevel: z.number().int().min(1).max(9).default(limitDefaults.compression.memLevel),
})

/** Top-level fields and server sections, spread into the full config schema. */
export const serverConfigShape = {
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0).max(65_535).default(appDefaults.port),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(logLevels).default('info'),
  tls: tlsSchema.optional(),
  /** Time allowed for a graceful shutdown before the process exits anyway. */
  shutdownTimeoutMs: positiveInt().default(appDefaults.closeTimeoutMs),
  /**
   * On SIGTERM, how long `/readyz` answers 503 while the server still accepts and serves, so
   * load balancers stop routing to it before it stops listening. Part of `shutdownTimeoutMs`.
   * Unset: see `shutdownDrainDelayMs()`.
   */
  shutdownDrainDelayMs: z.number().int().min(0).optional(),
  limits: limitsSchema.prefault({}),
  keepalive: keepaliveSchema.prefault({}),
  compression: compressionSchema.prefault({}),
  /**
   * Browser origins allowed to open the built-in WebSocket routes: `'*'` (any),
   * `'https://app.example.com'`, `'app.example.com'` (any scheme), `'*.example.com'`. Unset: only
   * pages served by this server's own host. Clients that send no Origin are always allowed.
   */
  allowedOrigins: z.array(z.string().min(1)).optional(),
  /**
   * The host names (with `:port` when not the scheme's default) the server is reached by. When
   * set and `allowedOrigins` is not, only pages on these hosts may open the built-in WebSocket
   * routes, which keeps DNS-rebinding pages out.
   */
  publicHosts: z.array(z.string().regex(/^[^\s/:]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/, 'a host name, optionally with :port')).optional(),
  /**
   * Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client (addresses or CIDR
   * ranges); per-address limits and logs then see the client behind them.
   */
  trustedProxies: z.array(proxyAddress).default([]),
  echo: echoSchema.prefault({}),
  metrics: metricsSchema.prefault({}),
}
