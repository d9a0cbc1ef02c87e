/** Mints HS256 connection and subscription tokens, as a backend or `sprocket token` would. */
import { SignJWT } from 'jose'

export type SignConnectionTokenOptions = {
  /** HMAC secret (the server's `client.tokenSecret`). */
  secret: string
  /** User id; '' for an anonymous user. */
  sub: string
  /** Lifetime in seconds; 0 or absent issues a token without `exp` (never expires). */
  ttlSeconds?: number
  /** Connection info shown to others (presence, join/leave). Any JSON value. */
  info?: unknown
  audience?: string
  issuer?: string
}

export type SignSubscriptionTokenOptions = Omit<SignConnectionTokenOptions, 'info'> & {
  channel: string
  /** Channel info → `chan_info`. */
  info?: unknown
  /** Returned to the client in the subscribe result. */
  data?: unknown
  /** Binds the token to one connection. */
  client?: string
}

async function sign(secret: string, claims: Record<string, unknown>, options: SignConnectionTokenOptions | SignSubscriptionTokenOptions): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(options.sub).setIssuedAt()
  if (options.ttlSeconds !== undefined && options.ttlSeconds > 0) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds)
  if (options.audience !== undefined) jwt.setAudience(options.audience)
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer)
  return jwt.sign(new TextEncoder().encode(secret))
}

/** Mints an HS256 connection token, as a backend (or `sprocket token`) would. */
export function signConnectionToken(options: SignConnectionTokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {}
  if (options.info !== undefined) claims['info'] = options.info
  return sign(options.secret, claims, options)
}

/** Mints an HS256 subscription token for one channel. */
export function signSubscriptionToken(options: SignSubscriptionTokenOptions): Promise<string> {
  const claims: Record<string, unknown> = { channel: options.channel }
  if (options.info !== undefined) claims['info'] = options.info
  if (options.data !== undefined) claims['data'] = options.data
  if (options.client !== undefined) claims['client'] = options.client
  return sign(options.secret, claims, options)
}
