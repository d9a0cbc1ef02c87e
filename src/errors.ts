/**
 * Protocol-neutral refusals. The hub, the engines, auth and the components say *why* a peer's
 * request is refused; each protocol turns the reason into its own numbers in
 * `src/protocol/<name>/` (the native protocol's in `protocol/centrifuge/errors.ts`).
 * A shared leaf: every layer may import it, and it imports nothing of ours.
 */

/** Why a request is refused. Stable: protocols map each one to a documented code. */
export const ErrorReason = {
  /** Our failure, not the peer's (a key source down, a bug); the peer may retry. */
  internal: 'internal',
  unauthorized: 'unauthorized',
  unknownChannel: 'unknown_channel',
  permissionDenied: 'permission_denied',
  methodNotFound: 'method_not_found',
  alreadySubscribed: 'already_subscribed',
  limitExceeded: 'limit_exceeded',
  badRequest: 'bad_request',
  notAvailable: 'not_available',
  /** A token's `exp` (or `nbf`) is out of range: a fresh token fixes it. */
  tokenExpired: 'token_expired',
  /** The connection's or subscription's own expiry passed. */
  expired: 'expired',
  tooManyRequests: 'too_many_requests',
  unrecoverablePosition: 'unrecoverable_position',
  /** A backend the server needs (the engine's Redis) is unreachable; nothing was done. Temporary: retry later. */
  unavailable: 'unavailable',
} as const
export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason]

/** Why a refusal costs the peer its connection. Protocols map each one to a close code. */
export const DisconnectReason = {
  /** The peer broke the protocol's rules; reconnecting the same way cannot help. */
  badRequest: 'bad_request',
  /** A token that is invalid, or valid for another user, client or channel. */
  invalidToken: 'invalid_token',
  /** The connection's credentials expired. */
  expired: 'expired',
  /** More server-side channels than one connection may hold. */
  channelLimit: 'channel_limit',
  /** The peer used a feature this server does not offer. */
  notAvailable: 'not_available',
} as const
export type DisconnectReason = (typeof DisconnectReason)[keyof typeof DisconnectReason]

export type PeerErrorOptions = {
  /** Set when the peer must lose the connection for it. */
  disconnect?: DisconnectReason | undefined
  /** The same request may succeed if retried as it is (a transient refusal). */
  temporary?: boolean | undefined
}

/**
 * A peer's mistake, or a refusal the peer must be told about: it becomes an error reply, or a
 * close when `disconnect` is set. `reason` is stable; tests assert it (or the code a protocol
 * maps it to), never the message.
 */
export class PeerError extends Error {
  readonly reason: ErrorReason
  readonly disconnect: DisconnectReason | undefined
  readonly temporary: boolean

  constructor(reason: ErrorReason, message: string, options: PeerErrorOptions = {}) {
    super(message)
    this.name = 'PeerError'
    this.reason = reason
    this.disconnect = options.disconnect
    this.temporary = options.temporary ?? false
  }
}
