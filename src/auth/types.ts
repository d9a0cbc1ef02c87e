/**
 * The authentication contract: how the native protocol turns a client's JWT into an identity.
 * Claims follow Centrifugo's (see docs/api.md and the protocol notes), so tokens minted for
 * Centrifugo by a PHP backend work unchanged.
 */

/** What a verified connection token grants. */
export type ConnectionClaims = {
  /** User id; '' is an anonymous user. */
  sub: string
  /** Token expiry, unix seconds. Absent: the connection never expires. */
  exp?: number
  /** Connection info, shown to others in presence, join/leave and client publications. */
  info?: unknown
  /** Server-side subscriptions made at connect. Not a permission list. */
  channels?: string[]
  /** Richer server-side subscriptions; when non-empty, `channels` is ignored. */
  subs?: Record<string, { data?: unknown }>
  /** Server-only metadata, never shown to clients. */
  meta?: unknown
  /** Connection expiry decoupled from `exp` (unix seconds); 0 means never. */
  expireAt?: number
}

/** What a verified subscription token grants. */
export type SubscriptionClaims = {
  /** User id the token was issued to; '' for anonymous. */
  sub: string
  /** The channel the token grants; always equal to the channel that was asked for. */
  channel: string
  exp?: number
  /** Channel info → `chan_info` in presence and join/leave. */
  info?: unknown
  /** Returned to the client in the subscribe result. */
  data?: unknown
  /** Subscription expiry decoupled from `exp` (unix seconds); 0 means never. */
  expireAt?: number
}

/** What a subscription token must match besides its signature. */
export type SubscriptionExpectation = {
  /** The connection's client id; checked only when the token carries a `client` claim. */
  client?: string
  /** The channel being subscribed; the token's `channel` claim must equal it. */
  channel: string
  /** The connection's user id; when given, the token's `sub` must equal it. */
  user?: string
}

/**
 * Verifies client JWTs. Both methods are pure with respect to the connection: they never touch
 * sockets or the hub, and may be called concurrently.
 *
 * Failure is always a `PeerError` from `src/errors.ts`, with a neutral reason each protocol maps:
 * - `tokenExpired` when `exp` is past or `nbf` is still ahead — the client fetches a new token and
 *   retries;
 * - `unauthorized` for everything else the peer got wrong: malformed token, bad signature,
 *   unsigned (`alg: none`), an algorithm not allowed for the configured key, wrong `aud`/`iss`,
 *   claims of the wrong type, or no key configured;
 * - `unauthorized` with `disconnect: invalidToken` for a well-signed subscription token that was
 *   issued for another channel, client or user: the connection presented someone else's grant and
 *   is closed, rather than answered;
 * - `internal` when a JWKS endpoint cannot be reached: not the client's fault, and temporary.
 */
export interface TokenVerifier {
  verifyConnectionToken(token: string): Promise<ConnectionClaims>
  verifySubscriptionToken(token: string, expect: SubscriptionExpectation): Promise<SubscriptionClaims>
}
