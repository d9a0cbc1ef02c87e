/**
 * Turns a verified JWT payload into connection or subscription claims, refusing tokens issued for
 * another user, client or channel.
 */
import { z } from 'zod'
import type { JWTPayload } from 'jose'
import { DisconnectReason, ErrorReason, PeerError } from '../errors.js'
import type { ConnectionClaims, SubscriptionClaims, SubscriptionExpectation } from './types.js'

const unixSeconds = z.number().finite().nonnegative()

const connectionPayload = z.looseObject({
  sub: z.string().optional(),
  exp: unixSeconds.optional(),
  expire_at: unixSeconds.optional(),
  info: z.unknown().optional(),
  channels: z.array(z.string()).optional(),
  subs: z.record(z.string(), z.looseObject({ data: z.unknown().optional(), info: z.unknown().optional() })).optional(),
  meta: z.unknown().optional(),
})

const subscriptionPayload = z.looseObject({
  sub: z.string().optional(),
  channel: z.string().min(1),
  client: z.string().optional(),
  exp: unixSeconds.optional(),
  expire_at: unixSeconds.optional(),
  info: z.unknown().optional(),
  data: z.unknown().optional(),
})

/** A token that is valid but was issued for another channel, client or user costs the connection. */
function mismatch(what: string): PeerError {
  return new PeerError(ErrorReason.unauthorized, `subscription token is for another ${what}`, {
    disconnect: DisconnectReason.invalidToken,
  })
}

function invalid(kind: string, error: z.ZodError): PeerError {
  const issue = error.issues[0]
  const where = issue && issue.path.length > 0 ? ` (${issue.path.join('.')})` : ''
  return new PeerError(ErrorReason.unauthorized, `invalid ${kind} token claims${where}`)
}

/** Checks the claim types of a verified connection token and maps them to `ConnectionClaims`. */
export function toConnectionClaims(payload: JWTPayload): ConnectionClaims {
  // A token with `channel` is a subscription token; Centrifugo refuses it for connecting.
  if (payload['channel'] !== undefined) {
    throw new PeerError(ErrorReason.unauthorized, 'a subscription token cannot connect')
  }
  const parsed = connectionPayload.safeParse(payload)
  if (!parsed.success) throw invalid('connection', parsed.error)
  const p = parsed.data
  const claims: ConnectionClaims = { sub: p.sub ?? '' }
  if (p.exp !== undefined) claims.exp = p.exp
  if (p.expire_at !== undefined) claims.expireAt = p.expire_at
  if (p.info !== undefined) claims.info = p.info
  if (p.channels !== undefined) claims.channels = p.channels
  if (p.subs !== undefined) claims.subs = p.subs
  if (p.meta !== undefined) claims.meta = p.meta
  return claims
}

/**
 * Checks a verified subscription token's claims against what the connection asked for. Malformed
 * claims (including a missing `channel`) → 101; a channel, client or user mismatch → 101 with
 * disconnect (`DisconnectReason.invalidToken`).
 */
export function toSubscriptionClaims(payload: JWTPayload, expect: SubscriptionExpectation): SubscriptionClaims {
  const parsed = subscriptionPayload.safeParse(payload)
  if (!parsed.success) throw invalid('subscription', parsed.error)
  const p = parsed.data
  const sub = p.sub ?? ''
  if (p.channel !== expect.channel) throw mismatch('channel')
  if (p.client !== undefined && expect.client !== undefined && p.client !== expect.client) throw mismatch('client')
  if (expect.user !== undefined && sub !== expect.user) throw mismatch('user')
  const claims: SubscriptionClaims = { sub, channel: p.channel }
  if (p.exp !== undefined) claims.exp = p.exp
  if (p.expire_at !== undefined) claims.expireAt = p.expire_at
  if (p.info !== undefined) claims.info = p.info
  if (p.data !== undefined) claims.data = p.data
  return claims
}
