/**
 * The native protocol's `connect` and `refresh` commands: token checks, server-side subscriptions, expiry.
 */
import type { ConnectionClaims } from '../../auth/types.js'
import { ErrorCode, ProtocolError } from '../../errors.js'
import { personalChannel } from '../../hub/channel-name.js'
import type { SubscribeResult } from '../../hub/types.js'
import {
  DisconnectCode,
  encodeServerMessage,
  type ConnectCommand,
  type RefreshCommand,
  type SubscribeResultBody,
} from '../../protocol/centrifuge/index.js'
import { expiryOf, ttlSeconds } from './expiry.js'
import type { Session } from './session.js'
import { subscribeResultBody } from './subscribe-handler.js'

/** A server-side subscription to make at connect. */
type ServerSub = { channel: string; data?: string; personal: boolean }

/**
 * Verifies a connection token. Expired (or not yet valid) → error reply 109, so the client
 * fetches a new token; any other refusal → close 3500; a key source outage → 100 (temporary).
 */
async function verify(session: Session, token: string): Promise<ConnectionClaims> {
  const { auth } = session.deps
  if (auth === undefined) throw new ProtocolError(ErrorCode.unauthorized, 'invalid token', DisconnectCode.invalidToken)
  try {
    return await auth.verifyConnectionToken(token)
  } catch (error) {
    if (error instanceof ProtocolError && error.code === ErrorCode.unauthorized) {
      throw new ProtocolError(ErrorCode.unauthorized, 'invalid token', DisconnectCode.invalidToken)
    }
    throw error
  }
}

function serverSubs(session: Session, claims: ConnectionClaims | undefined): ServerSub[] {
  const subs: ServerSub[] = []
  const seen = new Set<string>()
  const add = (sub: ServerSub) => {
    if (seen.has(sub.channel)) return
    seen.add(sub.channel)
    subs.push(sub)
  }
  if (session.deps.options.personalChannel && session.userId !== '') {
    try {
      add({ channel: personalChannel(session.userId), personal: true })
    } catch {
      // A user id that cannot name a personal channel (contains ',' or '#') simply has none.
    }
  }
  const tokenSubs = claims?.subs ?? {}
  if (Object.keys(tokenSubs).length > 0) {
    for (const [channel, options] of Object.entries(tokenSubs)) {
      add(options.data === undefined ? { channel, personal: false } : { channel, data: JSON.stringify(options.data), personal: false })
    }
  } else {
    for (const channel of claims?.channels ?? []) add({ channel, personal: false })
  }
  return subs
}

/**
 * connect: authenticates, subscribes the server-side channels (the personal channel `#<user>`
 * and the token's `channels`/`subs`, recovering those the client lists in `subs`), replies, then
 * lets the subscriptions go live.
 */
export async function handleConnect(session: Session, command: ConnectCommand): Promise<void> {
  const { options, hub, index } = session.deps
  let claims: ConnectionClaims | undefined
  if (command.token !== '') {
    claims = await verify(session, command.token)
  } else if (!options.allowAnonymous) {
    throw new ProtocolError(ErrorCode.unauthorized, 'client credentials not found', DisconnectCode.badRequest)
  }
  const nowMs = Date.now()
  const expiresAtMs = claims === undefined ? undefined : expiryOf(claims)
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) throw new ProtocolError(ErrorCode.expired, 'expired')
  session.userId = claims?.sub ?? ''
  session.info = claims?.info
  session.connInfo = claims?.info === undefined ? undefined : JSON.stringify(claims.info)
  session.expiresAtMs = expiresAtMs

  const results: Array<{ sub: ServerSub; result: SubscribeResult }> = []
  const subs: Record<string, SubscribeResultBody> = {}
  try {
    for (const sub of serverSubs(session, claims)) {
      if (session.isClosed) break
      const recovery = command.subs[sub.channel]
      const since = recovery?.recover === true ? { offset: recovery.offset, epoch: recovery.epoch } : undefined
      const info = { user: session.userId, client: session.clientId, ...(session.connInfo === undefined ? {} : { connInfo: session.connInfo }) }
      let result: SubscribeResult
      try {
        result = await hub.subscribe(session, sub.channel, { info, granted: true, ...(since === undefined ? {} : { since }) })
      } catch (error) {
        // A user id that cannot name a valid channel (too long, odd characters) simply has no personal channel.
        if (sub.personal && error instanceof ProtocolError && error.code !== ErrorCode.limitExceeded) continue
        throw error
      }
      results.push({ sub, result })
      session.subs.set(sub.channel, { serverSide: true, joinLeave: result.joinLeave && !sub.personal })
      subs[sub.channel] = subscribeResultBody(result, since !== undefined, sub.data)
    }
  } catch (error) {
    session.subs.clear()
    await hub.removeSubscriber(session)
    if (error instanceof ProtocolError && error.code === ErrorCode.limitExceeded) {
      throw new ProtocolError(ErrorCode.limitExceeded, 'channel limit', DisconnectCode.channelLimit)
    }
    throw error
  }
  if (session.isClosed) {
    await hub.removeSubscriber(session)
    return
  }

  session.state = 'connected'
  index.connected(session)
  const pingMs = options.pingIntervalMs
  session.nextPingAtMs = nowMs + (pingMs > 0 ? Math.floor(pingMs * (0.5 + Math.random() / 2)) : 0)
  session.reply(
    encodeServerMessage({
      type: 'result',
      id: command.id,
      result: {
        type: 'connect',
        body: {
          client: session.clientId,
          version: options.serverVersion,
          ...(expiresAtMs === undefined ? {} : { expires: true, ttlSeconds: ttlSeconds(expiresAtMs, nowMs) }),
          subs,
          ...(pingMs > 0 ? { pingSeconds: Math.ceil(pingMs / 1000), pong: true } : {}),
        },
      },
    }),
  )
  session.flush()
  for (const { result } of results) result.activate()
}

/**
 * refresh: a new connection token from the same user moves the expiry. Invalid or another user's
 * token → close 3500; already expired → close 3005 (the client reconnects and gets 109).
 */
export async function handleRefresh(session: Session, command: RefreshCommand): Promise<void> {
  if (command.token === '') throw new ProtocolError(ErrorCode.badRequest, 'empty token', DisconnectCode.badRequest)
  let claims: ConnectionClaims
  try {
    claims = await verify(session, command.token)
  } catch (error) {
    if (error instanceof ProtocolError && error.code === ErrorCode.tokenExpired) {
      throw new ProtocolError(ErrorCode.tokenExpired, 'connection expired', DisconnectCode.expired)
    }
    throw error
  }
  if (claims.sub !== session.userId) throw new ProtocolError(ErrorCode.unauthorized, 'invalid token', DisconnectCode.invalidToken)
  const nowMs = Date.now()
  const expiresAtMs = expiryOf(claims)
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) {
    throw new ProtocolError(ErrorCode.expired, 'connection expired', DisconnectCode.expired)
  }
  session.expiresAtMs = expiresAtMs
  session.info = claims.info
  session.connInfo = claims.info === undefined ? undefined : JSON.stringify(claims.info)
  session.reply(
    encodeServerMessage({
      type: 'result',
      id: command.id,
      result: {
        type: 'refresh',
        body: {
          client: session.clientId,
          version: session.deps.options.serverVersion,
          ...(expiresAtMs === undefined ? {} : { expires: true, ttlSeconds: ttlSeconds(expiresAtMs, nowMs) }),
        },
      },
    }),
  )
}
