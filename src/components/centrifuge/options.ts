/**
 * The native protocol's options: defaults, the `centrifuge` config section schema, and their resolution.
 */
import { z } from 'zod'

/**
 * Defaults of the native protocol's options — the one place they are written: the `centrifuge`
 * config section and `resolveCentrifugeOptions` both read them. Listed in docs/config.md.
 */
export const centrifugeDefaults = {
  allowAnonymous: true,
  pingIntervalMs: 25_000,
  pongTimeoutMs: 8_000,
  staleCloseDelayMs: 10_000,
  expiredCloseDelayMs: 25_000,
  maxCommandsPerSecond: 100,
  commandBurst: 200,
  maxMessageBytes: 65_536,
  historyMaxPublications: 300,
  maxReplyBytesPerFrame: 524_288,
  maxPendingFrameBytes: 1_048_576,
  personalChannel: true,
  serverVersion: '',
} as const

const positiveInt = () => z.number().int().positive()
const nonNegativeInt = () => z.number().int().nonnegative()

/**
 * The `centrifuge` config section: the native (Centrifugo-compatible) protocol at
 * `/connection/websocket`. Whether anonymous connections are accepted is decided by the
 * `client` section (`client.allowAnonymous`), so it is not a field here.
 */
export const centrifugeOptionsSchema = z.strictObject({
  /** Server ping period; announced to clients in whole seconds (`ping`). 0 disables pings. */
  pingIntervalMs: nonNegativeInt().default(centrifugeDefaults.pingIntervalMs),
  /** A client that has not answered a ping within this long is closed with 3012. */
  pongTimeoutMs: positiveInt().default(centrifugeDefaults.pongTimeoutMs),
  /** A connection that sends no successful `connect` within this long is closed with 3502. */
  staleCloseDelayMs: positiveInt().default(centrifugeDefaults.staleCloseDelayMs),
  /**
   * Grace after a connection's (or client-side subscription's) expiry for the `refresh`
   * (`sub_refresh`) to arrive before the connection is closed with 3005 (the subscription
   * unsubscribed with 2501). As Centrifugo.
   */
  expiredCloseDelayMs: nonNegativeInt().default(centrifugeDefaults.expiredCloseDelayMs),
  /** Commands per second a connection may sustain (token bucket refill). Over it: error 111. */
  maxCommandsPerSecond: positiveInt().default(centrifugeDefaults.maxCommandsPerSecond),
  /** Bucket size: commands a connection may send in one burst (a reconnect batches connect + every subscribe). */
  commandBurst: positiveInt().default(centrifugeDefaults.commandBurst),
  /**
   * A connection that gets more than this many commands refused with 111 within one second is
   * closed with 3013. Unset: `maxCommandsPerSecond`.
   */
  maxRejectedPerSecond: positiveInt().optional(),
  /** Largest frame accepted from a client, in bytes; larger closes with 1009. Overrides `limits.maxMessageBytes` on this route. */
  maxMessageBytes: positiveInt().default(centrifugeDefaults.maxMessageBytes),
  /** Most publications a `history` call returns (`limit` -1 or above it is lowered). */
  historyMaxPublications: positiveInt().default(centrifugeDefaults.historyMaxPublications),
  /**
   * Reply bytes one client frame may cause. The command that reaches it still completes (its reply
   * is bounded by `historyMaxPublications` and the publication size); the frame's later commands
   * are refused with 111 (temporary: the client may send them again) without running. Keep it
   * below the route's `maxBufferedBytes`: a frame's replies are queued in one event-loop turn.
   */
  maxReplyBytesPerFrame: positiveInt().default(centrifugeDefaults.maxReplyBytesPerFrame),
  /**
   * Characters of a connection's frames received but not yet processed. A client that sends
   * faster than its commands run past this is closed with 3013 (too many requests).
   */
  maxPendingFrameBytes: positiveInt().default(centrifugeDefaults.maxPendingFrameBytes),
  /** Subscribe every connected user to their personal channel `#<user>` server-side. */
  personalChannel: z.boolean().default(centrifugeDefaults.personalChannel),
  /** Reported in connect and refresh results. */
  serverVersion: z.string().default(centrifugeDefaults.serverVersion),
  /** Housekeeping period (pings, pong and stale checks, expiry). Unset: derived from the delays, at most 1,000. */
  tickMs: positiveInt().optional(),
})

/** The `centrifuge` config section after defaults. */
export type CentrifugeConfig = z.output<typeof centrifugeOptionsSchema>

/**
 * Options of the native protocol, as `mountCentrifuge` takes them: the `centrifuge` section's
 * fields (see `centrifugeOptionsSchema`), all optional, plus `allowAnonymous` (accept `connect`
 * without a token, as an anonymous user ''; default true), which `sprocket serve` takes from the
 * `client` section. Not validated here: the config loader validates what an operator writes.
 */
export type CentrifugeOptions = z.input<typeof centrifugeOptionsSchema> & { allowAnonymous?: boolean }

export type ResolvedCentrifugeOptions = Required<CentrifugeOptions>

export function resolveCentrifugeOptions(options: CentrifugeOptions = {}): ResolvedCentrifugeOptions {
  const defaults = centrifugeDefaults
  const pingIntervalMs = options.pingIntervalMs ?? defaults.pingIntervalMs
  const pongTimeoutMs = options.pongTimeoutMs ?? defaults.pongTimeoutMs
  const staleCloseDelayMs = options.staleCloseDelayMs ?? defaults.staleCloseDelayMs
  const expiredCloseDelayMs = options.expiredCloseDelayMs ?? defaults.expiredCloseDelayMs
  const maxCommandsPerSecond = options.maxCommandsPerSecond ?? defaults.maxCommandsPerSecond
  const delays = [pongTimeoutMs, staleCloseDelayMs, expiredCloseDelayMs, pingIntervalMs].filter((ms) => ms > 0)
  const derivedTickMs = Math.max(20, Math.min(1000, Math.floor(Math.min(...delays) / 4)))
  return {
    allowAnonymous: options.allowAnonymous ?? defaults.allowAnonymous,
    pingIntervalMs,
    pongTimeoutMs,
    staleCloseDelayMs,
    expiredCloseDelayMs,
    maxCommandsPerSecond,
    commandBurst: options.commandBurst ?? defaults.commandBurst,
    maxRejectedPerSecond: options.maxRejectedPerSecond ?? maxCommandsPerSecond,
    maxMessageBytes: options.maxMessageBytes ?? defaults.maxMessageBytes,
    historyMaxPublications: options.historyMaxPublications ?? defaults.historyMaxPublications,
    maxReplyBytesPerFrame: options.maxReplyBytesPerFrame ?? defaults.maxReplyBytesPerFrame,
    maxPendingFrameBytes: options.maxPendingFrameBytes ?? defaults.maxPendingFrameBytes,
    personalChannel: options.personalChannel ?? defaults.personalChannel,
    serverVersion: options.serverVersion ?? defaults.serverVersion,
    tickMs: options.tickMs ?? derivedTickMs,
  }
}
