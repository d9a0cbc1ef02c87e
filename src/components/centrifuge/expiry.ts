/** Expiry in ms since the epoch from a token's `expireAt` (0 = never) or `exp`; undefined: never. */
export function expiryOf(claims: { exp?: number; expireAt?: number }): number | undefined {
  if (claims.expireAt !== undefined) return claims.expireAt > 0 ? claims.expireAt * 1000 : undefined
  return claims.exp !== undefined ? claims.exp * 1000 : undefined
}

/**
 * Whole seconds until expiry, rounded down so the client refreshes a little early; at least 1
 * (0 would read as "no ttl").
 */
export function ttlSeconds(expiresAtMs: number, nowMs: number): number {
  return Math.max(1, Math.floor((expiresAtMs - nowMs) / 1000))
}
