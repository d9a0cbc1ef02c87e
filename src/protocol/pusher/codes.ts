/**
 * The Pusher protocol's numbers: the error and close codes pusher-js acts on (its reconnect rule
 * reads the close code alone), the `pusher:subscription_error` statuses, and the one mapping of
 * neutral refusals (`src/errors.ts`) onto them. Listed in docs/pusher.md.
 */
import { ErrorReason } from '../../errors.js'

/**
 * Codes of `pusher:error` events. Those below 4300 are also close codes: the connection is closed
 * with the same code right after the event. 4300 and above never close a connection.
 */
export const PusherCode = {
  /** No app has the key in `/app/{key}`. Refused: pusher-js does not reconnect. */
  appNotFound: 4001,
  /** The app exists but `enabled` is false. Refused. */
  appDisabled: 4003,
  /** The app's `maxConnections` is reached on this node. Refused. */
  overQuota: 4004,
  /** The path is not `/app/{key}`. Refused. */
  pathNotFound: 4005,
  /** `protocol` is not a whole number. Refused. */
  invalidVersion: 4006,
  /** `protocol` is not 5, 6 or 7. Refused. */
  unsupportedProtocol: 4007,
  /** No `protocol` query parameter. Refused. */
  noProtocol: 4008,
  /** A `pusher:signin` with a wrong signature or bad `user_data`, or the app terminated the user's connections (REST `terminate_connections`). Refused. */
  unauthorized: 4009,
  /** The outgoing queue passed the route's `maxBufferedBytes` (slow consumer), or the peer sent more than its message rate. Back off, then reconnect. */
  overCapacity: 4100,
  /** Reconnect now: `PusherComponent.shutdown()`, or a lost stream. pusher-js reconnects at once (to another node). */
  reconnect: 4200,
  /** No reply to the server's `pusher:ping` within `pongTimeoutMs`. Reconnect at once. */
  pongTimeout: 4201,
  /** A frame that is not a valid Pusher message (bad JSON, unknown `pusher:` event, bad fields). Not closed. */
  invalidMessage: 4300,
  /** A client event refused: over the rate limit, client events disabled, not subscribed, or not a private/presence channel. Not closed. */
  clientEventRejected: 4301,
  /** An event's data is larger than the app's `maxEventBytes`. Not closed. */
  messageTooLarge: 4302,
} as const
export type PusherCode = (typeof PusherCode)[keyof typeof PusherCode]

/** What pusher-js does when a connection closes with a code (its `getCloseAction`). */
export type CloseAction = 'refused' | 'backoff' | 'reconnect' | 'none'

/** pusher-js's rule, written once so docs and tests agree with the client. */
export function closeAction(code: number): CloseAction {
  if (code >= 4000 && code < 4100) return 'refused'
  if (code >= 4100 && code < 4200) return 'backoff'
  if (code >= 4200 && code < 4300) return 'reconnect'
  if (code >= 4300 && code < 4400) return 'refused'
  if (code >= 1002 && code <= 1004) return 'backoff'
  return 'none'
}

/** True for the codes that also close the connection (below 4300). */
export function closesConnection(code: PusherCode): boolean {
  return code < 4300
}

/** The body of `pusher:subscription_error` (soketi's form, which Laravel Echo's `.error()` receives). */
export type SubscriptionErrorBody = { type: string; error: string; status: number }

/** `pusher:subscription_error` statuses (HTTP-like). */
export const SubscriptionStatus = {
  /** Malformed channel name or `channel_data`. */
  badRequest: 400,
  /** Missing or wrong `auth` signature. */
  unauthorized: 401,
  /** A limit: presence channel full, too many channels on the connection. */
  limitReached: 403,
  /** `#server-to-user-{id}` from a connection not signed in as that user. */
  forbidden: 403,
  /** Subscribing twice to one channel on one connection. */
  conflict: 409,
  /** Our failure; the client may retry. */
  internal: 500,
} as const

const statusOfReason: Readonly<Record<ErrorReason, { type: string; status: number }>> = {
  [ErrorReason.internal]: { type: 'InternalError', status: SubscriptionStatus.internal },
  [ErrorReason.unauthorized]: { type: 'AuthError', status: SubscriptionStatus.unauthorized },
  [ErrorReason.unknownChannel]: { type: 'InvalidChannel', status: SubscriptionStatus.badRequest },
  [ErrorReason.permissionDenied]: { type: 'AuthError', status: SubscriptionStatus.unauthorized },
  [ErrorReason.methodNotFound]: { type: 'InvalidChannel', status: SubscriptionStatus.badRequest },
  [ErrorReason.alreadySubscribed]: { type: 'AlreadySubscribed', status: SubscriptionStatus.conflict },
  [ErrorReason.limitExceeded]: { type: 'LimitReached', status: SubscriptionStatus.limitReached },
  [ErrorReason.badRequest]: { type: 'InvalidChannel', status: SubscriptionStatus.badRequest },
  [ErrorReason.notAvailable]: { type: 'InternalError', status: SubscriptionStatus.internal },
  [ErrorReason.tokenExpired]: { type: 'AuthError', status: SubscriptionStatus.unauthorized },
  [ErrorReason.expired]: { type: 'AuthError', status: SubscriptionStatus.unauthorized },
  [ErrorReason.tooManyRequests]: { type: 'LimitReached', status: SubscriptionStatus.limitReached },
  [ErrorReason.unrecoverablePosition]: { type: 'InternalError', status: SubscriptionStatus.internal },
  [ErrorReason.unavailable]: { type: 'InternalError', status: SubscriptionStatus.internal },
}

/** The subscription error a neutral refusal becomes. */
export function subscriptionErrorOf(reason: ErrorReason, message: string): SubscriptionErrorBody {
  const { type, status } = statusOfReason[reason]
  return { type, error: message, status }
}
