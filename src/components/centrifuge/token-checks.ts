/**
 * Every token check of the native protocol, and the one table of how a refused token is
 * answered at each (Centrifugo's rules, which centrifuge-js relies on):
 *
 * | check        | expired               | invalid          | another user's, client's, channel's | key source down |
 * |--------------|-----------------------|------------------|-------------------------------------|-----------------|
 * | `connect`    | reply 109             | close 3500       | —                                   | reply 100       |
 * | `refresh`    | close 3005            | close 3500       | close 3500 (another user)           | reply 100       |
 * | `subscribe`  | reply 109             | reply 103        | close 3500                          | reply 100       |
 * | `subRefresh` | reply 109, temporary  | close 3500       | close 3500                          | reply 100       |
 *
 * No token verifier configured counts as "invalid".
 */
import type { ConnectionClaims, SubscriptionClaims } from '../../auth/types.js'
import { DisconnectReason, ErrorReason, PeerError } from '../../errors.js'
import type { Session } from './session.js'

export type TokenCheck = 'connect' | 'refresh' | 'subscribe' | 'subRefresh'

function invalidToken(): PeerError {
  return new PeerError(ErrorReason.unauthorized, 'invalid token', { disconnect: DisconnectReason.invalidToken })
}

/** The refusal a failed check answers with (see the table); anything not a `PeerError` is our bug and passes. */
function refusal(check: TokenCheck, error: unknown): unknown {
  if (!(error instanceof PeerError) || error.disconnect !== undefined) return error
  switch (error.reason) {
    case ErrorReason.tokenExpired:
      if (check === 'refresh') return new PeerError(ErrorReason.tokenExpired, 'connection expired', { disconnect: DisconnectReason.expired })
      if (check === 'subRefresh') return new PeerError(ErrorReason.tokenExpired, 'token expired', { temporary: true })
      return error
    case ErrorReason.unauthorized:
      return check === 'subscribe' ? new PeerError(ErrorReason.permissionDenied, 'permission denied') : invalidToken()
    default:
      return error
  }
}

async function checked<T>(check: TokenCheck, verify: (() => Promise<T>) | undefined): Promise<T> {
  try {
    if (verify === undefined) throw new PeerError(ErrorReason.unauthorized, 'no token verifier configured')
    return await verify()
  } catch (error) {
    throw refusal(check, error)
  }
}

/** Verifies a connection token at `connect` or `refresh`; a refresh must name the same user. */
export async function checkConnectionToken(session: Session, check: 'connect' | 'refresh', token: string): Promise<ConnectionClaims> {
  const { auth } = session.deps
  const claims = await checked(check, auth && (() => auth.verifyConnectionToken(token)))
  if (check === 'refresh' && claims.sub !== session.userId) throw invalidToken()
  return claims
}

/** Verifies a subscription token for this connection and channel at `subscribe` or `sub_refresh`. */
export async function checkSubscriptionToken(
  session: Session,
  check: 'subscribe' | 'subRefresh',
  token: string,
  channel: string,
): Promise<SubscriptionClaims> {
  const { auth } = session.deps
  const expect = { client: session.clientId, channel, user: session.userId }
  return checked(check, auth && (() => auth.verifySubscriptionToken(token, expect)))
}
