/**
 * Encodes server→client Pusher frames. `data` of every `pusher:` and `pusher_internal:` event is a
 * JSON string (what Pusher sends; some clients accept nothing else); channel events carry their
 * data string exactly as it was published.
 */
import type { SubscriptionErrorBody } from './codes.js'

/** A presence roster: user ids, their `user_info` by id, and the count. */
export type PresenceRoster = { ids: string[]; hash: Record<string, unknown>; count: number }

function frame(event: string, data: unknown, channel?: string): string {
  const text = JSON.stringify(data)
  return channel === undefined ? JSON.stringify({ event, data: text }) : JSON.stringify({ event, channel, data: text })
}

export function encodeConnectionEstablished(socketId: string, activityTimeoutSeconds: number): string {
  return frame('pusher:connection_established', { socket_id: socketId, activity_timeout: activityTimeoutSeconds })
}

export function encodeError(code: number, message: string): string {
  return frame('pusher:error', { code, message })
}

export function encodePing(): string {
  return frame('pusher:ping', {})
}

export function encodePong(): string {
  return frame('pusher:pong', {})
}

export function encodeSubscriptionSucceeded(channel: string, roster?: PresenceRoster): string {
  return frame('pusher_internal:subscription_succeeded', roster === undefined ? {} : { presence: roster }, channel)
}

/** soketi's form, scoped to the channel: Laravel Echo's `.error()` receives it. */
export function encodeSubscriptionError(channel: string, body: SubscriptionErrorBody): string {
  return frame('pusher:subscription_error', body, channel)
}

export function encodeMemberAdded(channel: string, userId: string, userInfo: unknown): string {
  return frame('pusher_internal:member_added', userInfo === undefined ? { user_id: userId } : { user_id: userId, user_info: userInfo }, channel)
}

export function encodeMemberRemoved(channel: string, userId: string): string {
  return frame('pusher_internal:member_removed', { user_id: userId }, channel)
}

/** A channel event; `userId` (client events on presence channels) becomes the top-level `user_id`. */
export function encodeChannelEvent(event: string, channel: string, data: string, userId?: string): string {
  return userId === undefined ? JSON.stringify({ event, channel, data }) : JSON.stringify({ event, channel, data, user_id: userId })
}

/** No cached event on a cache channel yet. */
export function encodeCacheMiss(channel: string): string {
  return frame('pusher:cache_miss', {}, channel)
}

/** The answer to a valid `pusher:signin`: the user data as signed. */
export function encodeSigninSuccess(userData: string): string {
  return frame('pusher:signin_success', { user_data: userData })
}
