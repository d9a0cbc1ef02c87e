/** The native protocol's `subscribe`, `unsubscribe` and `sub_refresh` commands. */
import type { SubscriptionClaims } from '../../auth/types.js'
import { ErrorCode, ProtocolError } from '../../errors.js'
import type { ClientInfo, StreamPosition, SubscribeResult } from '../../hub/types.js'
import {
  DisconnectCode,
  encodeError,
  encodeServerMessage,
  type SubRefreshCommand,
  type SubscribeCommand,
  type SubscribeResultBody,
  type UnsubscribeCommand,
} from '../../protocol/centrifuge/index.js'
import { expiryOf, ttlSeconds } from './expiry.js'
import type { Session } from './session.js'

/** Subscribe flag bit: the client (with `getState`) wants 112 instead of `recovered: false`. */
const rejectUnrecoveredFlag = 2

/**
 * The wire form of a hub subscribe result. Publications are included only when recovery
 * succeeded (the client delivers whatever it is given).
 */
export function subscribeResultBody(result: SubscribeResult, wasRecovering: boolean, data?: string): SubscribeResultBody {
  const body: SubscribeResultBody = {}
  if (result.recoverable) {
    body.recoverable = true
    body.positioned = true
    body.offset = result.position.offset
    body.epoch = result.position.epoch
  }
  if (wasRecovering) {
    body.wasRecovering = true
    body.recovered = result.recovered
    if (result.recovered && result.publications.length > 0) {
      body.publications = result.publications.map((publication) => ({
        data: publication.data,
        offset: publication.offset,
        ...(publication.info === undefined ? {} : { info: publication.info }),
        ...(publication.tags === undefined ? {} : { tags: publication.tags }),
      }))
    }
  }
  if (data !== undefined) body.data = data
  return body
}

/**
 * Verifies a subscription token for this connection and channel. Expired → 109 (the client
 * fetches a new token); bad signature or claims → 103; a token for another channel, client or
 * user → close 3500 (the verifier's error carries the close code).
 */
async function verifySubscriptionToken(session: Session, token: string, channel: string): Promise<SubscriptionClaims> {
  const { auth } = session.deps
  if (auth === undefined) throw new ProtocolError(ErrorCode.permissionDenied, 'permission denied')
  try {
    return await auth.verifySubscriptionToken(token, { client: session.clientId, channel, user: session.userId })
  } catch (error) {
    if (error instanceof ProtocolError && error.code === ErrorCode.unauthorized && error.closeCode === undefined) {
      throw new ProtocolError(ErrorCode.permissionDenied, 'permission denied')
    }
    throw error
  }
}

function memberInfo(session: Session, chanInfo: unknown): ClientInfo {
  const info: ClientInfo = { user: session.userId, client: session.clientId }
  if (session.connInfo !== undefined) info.connInfo = session.connInfo
  if (chanInfo !== undefined) info.chanInfo = JSON.stringify(chanInfo)
  return info
}

/**
 * subscribe: checks the token if any, subscribes in the hub (recovering from the client's
 * position when it asks), writes the reply, and only then lets live events through.
 */
export async function handleSubscribe(session: Session, command: SubscribeCommand): Promise<void> {
  const { channel } = command
  if (session.subs.has(channel) || session.pending.has(channel)) {
    throw new ProtocolError(ErrorCode.alreadySubscribed, 'already subscribed')
  }
  let claims: SubscriptionClaims | undefined
  if (command.token !== '') claims = await verifySubscriptionToken(session, command.token, channel)
  const expiresAtMs = claims === undefined ? undefined : expiryOf(claims)
  const nowMs = Date.now()
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) throw new ProtocolError(ErrorCode.tokenExpired, 'token expired')

  const { hub } = session.deps
  const since: StreamPosition | undefined = command.recover
  let result: SubscribeResult
  session.pending.add(channel)
  try {
    result = await hub.subscribe(session, channel, {
      info: memberInfo(session, claims?.info),
      granted: claims !== undefined,
      ...(since === undefined ? {} : { since }),
    })
  } finally {
    session.pending.delete(channel)
  }
  if (session.isClosed) {
    await hub.unsubscribe(session, channel)
    return
  }
  if (since !== undefined && !result.recovered && (command.flag & rejectUnrecoveredFlag) !== 0) {
    await hub.unsubscribe(session, channel)
    throw new ProtocolError(ErrorCode.unrecoverablePosition, 'unrecoverable position')
  }
  session.subs.set(channel, {
    serverSide: false,
    joinLeave: command.joinLeave && result.joinLeave,
    ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
  })
  if (expiresAtMs !== undefined) session.hasExpiringSubs = true
  const body = subscribeResultBody(result, since !== undefined, claims?.data === undefined ? undefined : JSON.stringify(claims.data))
  if (expiresAtMs !== undefined) {
    body.expires = true
    body.ttlSeconds = ttlSeconds(expiresAtMs, nowMs)
  }
  session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'subscribe', body } }))
  session.flush()
  result.activate()
}

/** unsubscribe: not being subscribed is not an error. */
export async function handleUnsubscribe(session: Session, command: UnsubscribeCommand): Promise<void> {
  session.subs.delete(command.channel)
  await session.deps.hub.unsubscribe(session, command.channel)
  session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'unsubscribe' } }))
}

/**
 * sub_refresh: a new subscription token moves the subscription's expiry. Not subscribed → 103,
 * empty token → 107, expired token → 109 marked temporary (the client fetches another and retries;
 * a plain 109 would be terminal here), invalid → close 3500.
 */
export async function handleSubRefresh(session: Session, command: SubRefreshCommand): Promise<void> {
  const sub = session.subs.get(command.channel)
  if (sub === undefined || sub.serverSide) throw new ProtocolError(ErrorCode.permissionDenied, 'permission denied')
  if (command.token === '') throw new ProtocolError(ErrorCode.badRequest, 'bad request')
  let claims: SubscriptionClaims
  try {
    claims = await verifySubscriptionToken(session, command.token, command.channel)
  } catch (error) {
    if (error instanceof ProtocolError && error.closeCode === undefined && error.code === ErrorCode.tokenExpired) {
      session.reply(encodeError(command.id, { code: ErrorCode.tokenExpired, message: 'token expired', temporary: true }))
      return
    }
    if (error instanceof ProtocolError && error.code === ErrorCode.permissionDenied) {
      throw new ProtocolError(ErrorCode.unauthorized, 'invalid token', DisconnectCode.invalidToken)
    }
    throw error
  }
  const nowMs = Date.now()
  const expiresAtMs = expiryOf(claims)
  if (expiresAtMs === undefined) {
    delete sub.expiresAtMs
  } else {
    sub.expiresAtMs = expiresAtMs
    session.hasExpiringSubs = true
  }
  const expiry = expiresAtMs === undefined ? {} : { expires: true, ttlSeconds: ttlSeconds(expiresAtMs, nowMs) }
  session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'sub_refresh', ...expiry } }))
}
