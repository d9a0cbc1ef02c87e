import type { SubscriptionClaims } from '../../auth/types.js'
import { ErrorReason, PeerError } from '../../errors.js'
import type { SubscribeResult } from '../../hub/types.js'
import {
  encodeServerMessage,
  type SubRefreshCommand,
  type SubscribeCommand,
  type SubscribeResultBody,
  type UnsubscribeCommand,
} from '../../protocol/centrifuge/index.js'
import type { ClientInfo, StreamPosition } from '../../engine/types.js'
import { expiryOf, ttlSeconds } from './expiry.js'
import { checkSubscriptionToken } from './token-checks.js'
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
    throw new PeerError(ErrorReason.alreadySubscribed, 'already subscribed')
  }
  let claims: SubscriptionClaims | undefined
  if (command.token !== '') claims = await checkSubscriptionToken(session, 'subscribe', command.token, channel)
  const expiresAtMs = claims === undefined ? undefined : expiryOf(claims)
  const nowMs = Date.now()
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) throw new PeerError(ErrorReason.tokenExpired, 'token expired')

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
    throw new PeerError(ErrorReason.unrecoverablePosition, 'unrecoverable position')
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
 * empty token → 107; a refused token as `token-checks.ts` says (expired → 109 marked temporary:
 * the client fetches another and retries, a plain 109 would be terminal here).
 */
export async function handleSubRefresh(session: Session, command: SubRefreshCommand): Promise<void> {
  const sub = session.subs.get(command.channel)
  if (sub === undefined || sub.serverSide) throw new PeerError(ErrorReason.permissionDenied, 'permission denied')
  if (command.token === '') throw new PeerError(ErrorReason.badRequest, 'bad request')
  const claims = await checkSubscriptionToken(session, 'subRefresh', command.token, command.channel)
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
