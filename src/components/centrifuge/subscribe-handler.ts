/** The native protocol's `subscribe`, `unsubscribe` and `sub_refresh` commands. */
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
import { expiryOf, ttlSeconds } from './expiry.js'
import { checkSubscriptionToken } from './token-checks.js'
import { toWirePublication } from './wire.js'
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
      body.publications = result.publications.map(toWirePublication)
    }
  }
  if (data !== undefined) body.data = data
  return body
}

/**
 * subscribe: checks the token if any, subscribes in the hub (recovering from the client's
 * position when it asks), writes the reply, and only then lets live events through.
 */
export async function handleSubscribe(session: Session, command: SubscribeCommand): Promise<void> {
  const { channel } = command
  if (session.hasSub(channel)) throw new PeerError(ErrorReason.alreadySubscribed, 'already subscribed')
  let claims: SubscriptionClaims | undefined
  if (command.token !== '') claims = await checkSubscriptionToken(session, 'subscribe', command.token, channel)
  const expiresAtMs = claims === undefined ? undefined : expiryOf(claims)
  const nowMs = Date.now()
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) throw new PeerError(ErrorReason.tokenExpired, 'token expired')

  const since = command.recover
  const result = await session.seat(
    channel,
    {
      granted: claims !== undefined,
      since,
      chanInfo: claims?.info === undefined ? undefined : JSON.stringify(claims.info),
      rejectUnrecovered: (command.flag & rejectUnrecoveredFlag) !== 0,
    },
    { serverSide: false, joinLeave: command.joinLeave, ...(expiresAtMs === undefined ? {} : { expiresAtMs }) },
  )
  if (result === undefined) return
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
  session.setSubExpiry(sub, expiresAtMs)
  const expiry = expiresAtMs === undefined ? {} : { expires: true, ttlSeconds: ttlSeconds(expiresAtMs, nowMs) }
  session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'sub_refresh', ...expiry } }))
}
