/**
 * Options of the native (Centrifugo-compatible) protocol. Every field has a safe default, listed
 * in docs/protocol.md.
 */
export type CentrifugeOptions = {
  /** Accept `connect` without a token, as an anonymous user (''). Default true. */
  allowAnonymous?: boolean
  /** Server ping period; announced to clients in whole seconds (`ping`). 0 disables pings. Default 25,000. */
  pingIntervalMs?: number
  /** A client that has not answered a ping within this long is closed with 3012. Default 8,000. */
  pongTimeoutMs?: number
  /** A connection that sends no successful `connect` within this long is closed with 3502. Default 10,000. */
  staleCloseDelayMs?: number
  /**
   * Grace after a connection's (or client-side subscription's) expiry for the `refresh`
   * (`sub_refresh`) to arrive before the connection is closed with 3005 (the subscription
   * unsubscribed with 2501). Default 25,000, as Centrifugo.
   */
  expiredCloseDelayMs?: number
  /** Commands per second a connection may sustain (token bucket refill). Over it: error 111. Default 100. */
  maxCommandsPerSecond?: number
  /** Bucket size: commands a connection may send in one burst (a reconnect batches connect + every subscribe). Default 200. */
  commandBurst?: number
  /**
   * A connection that gets more than this many commands refused with 111 within one second is
   * closed with 3013. Default: `maxCommandsPerSecond`.
   */
  maxRejectedPerSecond?: number
  /** Largest frame accepted from a client, in bytes; larger closes with 1009. Default 65,536. */
  maxMessageBytes?: number
  /** Most publications a `history` call returns (`limit` -1 or above it is lowered). Default 300. */
  historyMaxPublications?: number
  /** Subscribe every connected user to their personal channel `#<user>` server-side. Default true. */
  personalChannel?: boolean
  /** Reported in connect and refresh results. */
  serverVersion?: string
  /** Housekeeping period (pings, pong and stale checks, expiry). Default: derived from the delays, at most 1,000. */
  tickMs?: number
}

export type ResolvedCentrifugeOptions = Required<CentrifugeOptions>

export function resolveCentrifugeOptions(options: CentrifugeOptions = {}): ResolvedCentrifugeOptions {
  const pingIntervalMs = options.pingIntervalMs ?? 25_000
  const pongTimeoutMs = options.pongTimeoutMs ?? 8_000
  const staleCloseDelayMs = options.staleCloseDelayMs ?? 10_000
  const expiredCloseDelayMs = options.expiredCloseDelayMs ?? 25_000
  const maxCommandsPerSecond = options.maxCommandsPerSecond ?? 100
  const delays = [pongTimeoutMs, staleCloseDelayMs, expiredCloseDelayMs, pingIntervalMs].filter((ms) => ms > 0)
  const derivedTickMs = Math.max(20, Math.min(1000, Math.floor(Math.min(...delays) / 4)))
  return {
    allowAnonymous: options.allowAnonymous ?? true,
    pingIntervalMs,
    pongTimeoutMs,
    staleCloseDelayMs,
    expiredCloseDelayMs,
    maxCommandsPerSecond,
    commandBurst: options.commandBurst ?? 200,
    maxRejectedPerSecond: options.maxRejectedPerSecond ?? maxCommandsPerSecond,
    maxMessageBytes: options.maxMessageBytes ?? 65_536,
    historyMaxPublications: options.historyMaxPublications ?? 300,
    personalChannel: options.personalChannel ?? true,
    serverVersion: options.serverVersion ?? '',
    tickMs: options.tickMs ?? derivedTickMs,
  }
}
