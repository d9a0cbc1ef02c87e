/**
 * `pusher:subscribe` and `pusher:unsubscribe`: channel auth (HMAC, constant-time), presence
 * `channel_data`, the presence member limit, the hub seat, and the reply
 * (`pusher_internal:subscription_succeeded` with the roster, or `pusher:subscription_error`).
 */
import { verifyChannelAuth } from '../../auth/pusher-signature.js'
import { PeerError } from '../../errors.js'
import type { ClientInfo, HubApi } from '../../hub/types.js'
import {
  encodeCacheMiss,
  encodeChannelEvent,
  encodeSubscriptionError,
  fromHubPayload,
  encodeSubscriptionSucceeded,
  hubChannelOf,
  needsAuth,
  parsePusherChannel,
  SubscriptionStatus,
  subscriptionErrorOf,
  type PresenceRoster,
  type PusherChannel,
} from '../../protocol/pusher/index.js'
import type { PusherDeps } from './handle-message.js'
import type { PusherSession, SessionChannel } from './session.js'

type Refusal = { type: string; error: string; status: number }

class SubscriptionRefused extends Error {
  constructor(readonly body: Refusal) {
    super(body.error)
  }
}

function refuse(type: string, status: number, error: string): SubscriptionRefused {
  return new SubscriptionRefused({ type, error, status })
}

/** A presence member as `channel_data` states it. */
type Member = { userId: string; userInfo: string | undefined }

/** Parses and bounds `channel_data`: `{"user_id": string | number, "user_info"?: any}`. */
function presenceMember(channelData: string | undefined, maxInfoBytes: number): Member {
  if (channelData === undefined) throw refuse('AuthError', SubscriptionStatus.badRequest, 'presence channels need channel_data')
  let parsed: unknown
  try {
    parsed = JSON.parse(channelData)
  } catch {
    throw refuse('AuthError', SubscriptionStatus.badRequest, 'channel_data is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null) throw refuse('AuthError', SubscriptionStatus.badRequest, 'channel_data is not an object')
  const { user_id: id, user_info: info } = parsed as { user_id?: unknown; user_info?: unknown }
  if (!((typeof id === 'string' && id !== '' && id.length <= 128) || (typeof id === 'number' && Number.isFinite(id)))) {
    throw refuse('AuthError', SubscriptionStatus.badRequest, 'channel_data.user_id must be a non-empty string (at most 128 characters) or a number')
  }
  const userInfo = info === undefined ? undefined : JSON.stringify(info)
  if (userInfo !== undefined && Buffer.byteLength(userInfo, 'utf8') > maxInfoBytes) {
    throw refuse('AuthError', SubscriptionStatus.badRequest, `user_info is larger than ${maxInfoBytes} bytes`)
  }
  return { userId: String(id), userInfo }
}

function checkAuth(session: PusherSession, channel: PusherChannel, auth: string | undefined, channelData: string | undefined): void {
  if (channel.kind === 'user') {
    if (session.signedInUser === undefined || session.signedInUser !== channel.userId) {
      throw refuse('AuthError', SubscriptionStatus.forbidden, 'only the connection signed in as this user may subscribe')
    }
    return
  }
  if (!needsAuth(channel)) return
  const data = channel.kind === 'presence' ? channelData : undefined
  if (auth === undefined || !verifyChannelAuth(session.app, session.socketId, channel.name, auth, data)) {
    throw refuse('AuthError', SubscriptionStatus.unauthorized, 'invalid signature')
  }
}

/** The roster of a presence channel: one entry per user, however many connections it has. */
async function rosterOf(hub: HubApi, hubChannel: string): Promise<PresenceRoster> {
  const entries = await hub.presence(hubChannel)
  const hash: Record<string, unknown> = {}
  const ids: string[] = []
  for (const info of Object.values(entries)) {
    if (info.user === '' || info.user in hash) continue
    ids.push(info.user)
    hash[info.user] = info.chanInfo === undefined ? null : (JSON.parse(info.chanInfo) as unknown)
  }
  return { ids, hash, count: ids.length }
}

async function checkPresenceLimit(hub: HubApi, session: PusherSession, hubChannel: string, userId: string): Promise<void> {
  const stats = await hub.presenceStats(hubChannel)
  if (stats.numUsers < session.app.maxPresenceMembers) return
  const present = Object.values(await hub.presence(hubChannel)).some((info) => info.user === userId)
  if (!present) throw refuse('LimitReached', SubscriptionStatus.limitReached, `presence channel is full (${session.app.maxPresenceMembers} members)`)
}

/**
 * A cache channel's last event, sent right after `subscription_succeeded` (before live events,
 * which are held until `activate()`), or `pusher:cache_miss`. An event newer than the subscribe
 * position is not replayed: it is among the held live events already.
 */
async function replayCached({ hub, webhooks }: PusherDeps, session: PusherSession, name: string, hubChannel: string, offset: number): Promise<void> {
  const last = (await hub.history(hubChannel, { limit: 1, reverse: true })).publications[0]
  if (last === undefined) {
    session.send(encodeCacheMiss(name))
    webhooks?.cacheMiss(session.app, name)
    return
  }
  if (last.offset > offset) return
  const { event, data } = fromHubPayload(last.data, last.tags)
  const user = last.info?.user
  session.send(encodeChannelEvent(event, name, data, name.startsWith('presence-') && user !== undefined && user !== '' ? user : undefined))
}

/**
 * Subscribes the session to a channel and answers. Refusals become `pusher:subscription_error`
 * on that channel; the connection stays open. Engine failures propagate (the one catch closes
 * the connection with 1011).
 */
export async function subscribe(deps: PusherDeps, session: PusherSession, name: string, auth: string | undefined, channelData: string | undefined): Promise<void> {
  const { hub } = deps
  let entry: SessionChannel | undefined
  try {
    const channel = parsePusherChannel(name)
    if (channel === undefined) throw refuse('InvalidChannel', SubscriptionStatus.badRequest, 'invalid channel name')
    if (session.channels.has(name)) throw refuse('AlreadySubscribed', SubscriptionStatus.conflict, 'already subscribed')
    checkAuth(session, channel, auth, channelData)
    const member = channel.kind === 'presence' ? presenceMember(channelData, session.app.maxPresenceMemberInfoBytes) : undefined
    const hubChannel = hubChannelOf(session.app.namespace, channel)
    entry = { channel, hubChannel, presenceUser: member?.userId, ready: false }
    session.addChannel(entry)
    if (member !== undefined) await checkPresenceLimit(hub, session, hubChannel, member.userId)
    const info: ClientInfo = { client: session.socketId, user: member?.userId ?? '' }
    if (member?.userInfo !== undefined) info.chanInfo = member.userInfo
    const result = await hub.subscribe(session, hubChannel, { info, granted: true })
    if (session.channels.get(name) !== entry || !session.conn.isOpen) {
      // Unsubscribed (or closed) while subscribing: the hub applies that once subscribe returned.
      await hub.unsubscribe(session, hubChannel)
      return
    }
    const roster = member === undefined ? undefined : await rosterOf(hub, hubChannel)
    session.send(encodeSubscriptionSucceeded(name, roster))
    if (channel.cache) await replayCached(deps, session, name, hubChannel, result.position.offset)
    entry.ready = true
    result.activate()
  } catch (error) {
    if (entry !== undefined && session.channels.get(name) === entry) session.removeChannel(name)
    if (error instanceof SubscriptionRefused) {
      session.send(encodeSubscriptionError(name, error.body))
      return
    }
    if (error instanceof PeerError) {
      session.send(encodeSubscriptionError(name, subscriptionErrorOf(error.reason, error.message)))
      return
    }
    throw error
  }
}

/** Leaves a channel; unknown channels are ignored (Pusher answers nothing either way). */
export async function unsubscribe(hub: HubApi, session: PusherSession, name: string): Promise<void> {
  const entry = session.removeChannel(name)
  if (entry !== undefined) await hub.unsubscribe(session, entry.hubChannel)
}

