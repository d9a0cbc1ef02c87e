/**
 * The native protocol's `connect` and `refresh` commands: token checks, server-side subscriptions, expiry.
 */
import type { ConnectionClaims } from '../../auth/types.js'
import { DisconnectReason, ErrorReason, PeerError } from '../../errors.js'
import { personalChannel } from '../../hub/channel-name.js'
import type { SubscribeResult } from '../../hub/types.js'
import {
  encodeServerMessage,
  type ConnectCommand,
  type RefreshCommand,
  type SubscribeResultBody,
} from '../../protocol/centrifuge/index.js'
import { expiryOf, ttlSeconds } from './expiry.js'
import { checkConnectionToken } from './token-checks.js'
import type { Session } from './session.js'
import { subscribeResultBody } from './subscribe-handler.js'

/** A server-side subscription to make at connect. */
type ServerSub = { channel: string; data?: string; personal: boolean }

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

/** The connect command's credentials: the token's claims, or none for an anonymous connection. */
async function authenticate(session: Session, command: ConnectCommand): Promise<ConnectionClaims | undefined> {
  if (command.token !== '') return checkConnectionToken(session, 'connect', command.token)
  if (session.deps.options.allowAnonymous) return undefined
  throw new PeerError(ErrorReason.unauthorized, 'client credentials not found', { disconnect: DisconnectReason.badRequest })
}

/**
 * Seats the server-side channels through the one subscribe flow, recovering those the client
 * lists in `subs`. Undefined when the connection closed meanwhile. On failure nothing stays
 * subscribed; a channel limit costs the connection.
 */
async function seatServerSubs(session: Session, command: ConnectCommand, claims: ConnectionClaims | undefined): Promise<SeatedSubs | undefined> {
  const seated: SeatedSubs = { results: [], bodies: {} }
  try {
    for (const sub of serverSubs(session, claims)) {
      if (session.isClosed) return undefined
      const recovery = command.subs[sub.channel]
      const since = recovery?.recover === true ? { offset: recovery.offset, epoch: recovery.epoch } : undefined
      let result: SubscribeResult | undefined
      try {
        result = await session.seat(sub.channel, { granted: true, since }, { serverSide: true, joinLeave: !sub.personal })
      } catch (error) {
        // A user id that cannot name a valid channel (too long, odd characters) simply has no personal channel.
        if (sub.personal && error instanceof PeerError && error.reason !== ErrorReason.limitExceeded) continue
        throw error
      }
      if (result === undefined) return undefined
      seated.results.push(result)
      seated.bodies[sub.channel] = subscribeResultBody(result, since !== undefined, sub.data)
    }
  } catch (error) {
    session.subs.clear()
    await session.deps.hub.removeSubscriber(session)
    if (error instanceof PeerError && error.reason === ErrorReason.limitExceeded) {
      throw new PeerError(ErrorReason.limitExceeded, 'channel limit', { disconnect: DisconnectReason.channelLimit })
    }
    throw error
  }
  return seated
}

type SeatedSubs = { results: SubscribeResult[]; bodies: Record<string, SubscribeResultBody> }

/**
 * connect: authenticates, subscribes the server-side channels (the personal channel `#<user>`
 * and the token's `channels`/`subs`), replies, then lets the subscriptions go live.
 */
export async function handleConnect(session: Session, command: ConnectCommand): Promise<void> {
  const { options, hub } = session.deps
  const claims = await authenticate(session, command)
  const nowMs = Date.now()
  const expiresAtMs = claims === undefined ? undefined : expiryOf(claims)
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) throw new PeerError(ErrorReason.expired, 'expired')
  session.identify(claims?.sub ?? '')
  session.setCredentials(claims?.info, expiresAtMs)

  const seated = await seatServerSubs(session, command, claims)
  if (seated === undefined || session.isClosed) {
    await hub.removeSubscriber(session)
    return
  }
  session.markConnected(nowMs)
  const pingMs = options.pingIntervalMs
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
          subs: seated.bodies,
          ...(pingMs > 0 ? { pingSeconds: Math.ceil(pingMs / 1000), pong: true } : {}),
        },
      },
    }),
  )
  session.flush()
  for (const result of seated.results) result.activate()
}

/**
 * refresh: a new connection token from the same user moves the expiry. Invalid or another user's
 * token → close 3500; already expired → close 3005 (the client reconnects and gets 109).
 */
export async function handleRefresh(session: Session, command: RefreshCommand): Promise<void> {
  if (command.token === '') throw new PeerError(ErrorReason.badRequest, 'empty token', { disconnect: DisconnectReason.badRequest })
  const claims = await checkConnectionToken(session, 'refresh', command.token)
  const nowMs = Date.now()
  const expiresAtMs = expiryOf(claims)
  if (expiresAtMs !== undefined && expiresAtMs <= nowMs) {
    throw new PeerError(ErrorReason.expired, 'connection expired', { disconnect: DisconnectReason.expired })
  }
  session.setCredentials(claims.info, expiresAtMs)
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
