/**
 * Close codes, unsubscribe codes and reasons of the Centrifugo client protocol.
 *
 * centrifuge-js decides whether to reconnect from the close code alone: below 3000 (except
 * 1009) and 3000–3499 and 4000–4499 reconnect; 1009, 3500–3999 and 4500–4999 are terminal.
 * `reconnects()` encodes that rule so callers and docs agree with the client.
 */

/** WebSocket close codes used as Centrifugo disconnect codes. */
export const DisconnectCode = {
  /** Message larger than the route's `maxMessageBytes` (closed by the transport). Terminal. */
  messageTooBig: 1009,
  /** The node is shutting down. Reconnects. */
  shutdown: 3001,
  /** Our bug while handling the connection. Reconnects. */
  internal: 3004,
  /** Connection expiry passed without a `refresh`. Reconnects (the next connect gets 109). */
  expired: 3005,
  /** A server-side subscription expired. Reconnects. */
  subscriptionExpired: 3006,
  /** Outgoing queue over the route's `maxBufferedBytes` (closed by the transport). Reconnects and recovers. */
  slow: 3008,
  /** A server-side subscription missed publications (offset gap or epoch change). Reconnects and recovers. */
  insufficientState: 3010,
  /** The server asks the client to reconnect. */
  forceReconnect: 3011,
  /** No pong within `pongTimeoutMs` of a ping. Reconnects. */
  noPong: 3012,
  /** Sustained command-rate abuse. Reconnects (with the client's backoff). */
  tooManyRequests: 3013,
  /** Bad connection token, or a token naming another user/channel/client. Terminal. */
  invalidToken: 3500,
  /** Protocol violation. Terminal. */
  badRequest: 3501,
  /** No connect command within `staleCloseDelayMs`. Terminal. */
  stale: 3502,
  /** Server API `disconnect` default. Terminal. */
  forceDisconnect: 3503,
  /** Too many server-side channels for one connection. Terminal. */
  channelLimit: 3505,
  /** `send` while the server has no message handler. Terminal. */
  notAvailable: 3508,
} as const
export type DisconnectCode = (typeof DisconnectCode)[keyof typeof DisconnectCode]

/** The reason text sent with each disconnect code (plain text, never JSON). */
export const disconnectReason: Readonly<Record<number, string>> = {
  1009: 'message size limit exceeded',
  3001: 'shutdown',
  3004: 'internal server error',
  3005: 'connection expired',
  3006: 'subscription expired',
  3008: 'slow',
  3010: 'insufficient state',
  3011: 'force reconnect',
  3012: 'no pong',
  3013: 'too many requests',
  3500: 'invalid token',
  3501: 'bad request',
  3502: 'stale',
  3503: 'force disconnect',
  3505: 'channel limit',
  3508: 'not available',
}

/** Codes carried in `unsubscribe` pushes: below 2500 final, from 2500 the client resubscribes. */
export const UnsubscribeCode = {
  server: 2000,
  insufficientState: 2500,
  expired: 2501,
} as const
export type UnsubscribeCode = (typeof UnsubscribeCode)[keyof typeof UnsubscribeCode]

export const unsubscribeReason: Readonly<Record<number, string>> = {
  2000: 'server unsubscribe',
  2500: 'insufficient state',
  2501: 'subscription expired',
}

/** Whether centrifuge-js reconnects after the server closes with `code` (plain-text reason). */
export function reconnects(code: number): boolean {
  if (code === 1009) return false
  if (code >= 3500 && code < 4000) return false
  if (code >= 4500 && code < 5000) return false
  return true
}
