/**
 * The native protocol's error codes (Centrifugo's numbers, so its clients react to them as they
 * should) and the one mapping of neutral refusals (`src/errors.ts`) onto them and onto the
 * protocol's close codes.
 */
import { DisconnectReason, ErrorReason, PeerError } from '../../errors.js'
import { DisconnectCode } from './codes.js'
import type { ErrorBody } from './server-message.js'

/** Error codes of error replies (and of the server API's error bodies). */
export const ErrorCode = {
  internal: 100,
  unauthorized: 101,
  unknownChannel: 102,
  permissionDenied: 103,
  methodNotFound: 104,
  alreadySubscribed: 105,
  limitExceeded: 106,
  badRequest: 107,
  notAvailable: 108,
  tokenExpired: 109,
  expired: 110,
  tooManyRequests: 111,
  unrecoverablePosition: 112,
  /** Sprocket's own: the engine's backend is unreachable (temporary). Not among Centrifugo's numbers. */
  unavailable: 113,
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const codeOfReason: Readonly<Record<ErrorReason, ErrorCode>> = {
  [ErrorReason.internal]: ErrorCode.internal,
  [ErrorReason.unauthorized]: ErrorCode.unauthorized,
  [ErrorReason.unknownChannel]: ErrorCode.unknownChannel,
  [ErrorReason.permissionDenied]: ErrorCode.permissionDenied,
  [ErrorReason.methodNotFound]: ErrorCode.methodNotFound,
  [ErrorReason.alreadySubscribed]: ErrorCode.alreadySubscribed,
  [ErrorReason.limitExceeded]: ErrorCode.limitExceeded,
  [ErrorReason.badRequest]: ErrorCode.badRequest,
  [ErrorReason.notAvailable]: ErrorCode.notAvailable,
  [ErrorReason.tokenExpired]: ErrorCode.tokenExpired,
  [ErrorReason.expired]: ErrorCode.expired,
  [ErrorReason.tooManyRequests]: ErrorCode.tooManyRequests,
  [ErrorReason.unrecoverablePosition]: ErrorCode.unrecoverablePosition,
  [ErrorReason.unavailable]: ErrorCode.unavailable,
}

const closeCodeOfReason: Readonly<Record<DisconnectReason, DisconnectCode>> = {
  [DisconnectReason.badRequest]: DisconnectCode.badRequest,
  [DisconnectReason.invalidToken]: DisconnectCode.invalidToken,
  [DisconnectReason.expired]: DisconnectCode.expired,
  [DisconnectReason.channelLimit]: DisconnectCode.channelLimit,
  [DisconnectReason.notAvailable]: DisconnectCode.notAvailable,
}

/** Default messages of error replies, by code. */
export const errorMessage: Readonly<Record<number, string>> = {
  100: 'internal server error',
  101: 'unauthorized',
  102: 'unknown channel',
  103: 'permission denied',
  104: 'method not found',
  105: 'already subscribed',
  106: 'limit exceeded',
  107: 'bad request',
  108: 'not available',
  109: 'token expired',
  110: 'expired',
  111: 'too many requests',
  112: 'unrecoverable position',
  113: 'unavailable',
}

/** The error code of a neutral reason. */
export function errorCodeOf(reason: ErrorReason): ErrorCode {
  return codeOfReason[reason]
}

/** The close code of a neutral disconnect reason. */
export function disconnectCodeOf(reason: DisconnectReason): DisconnectCode {
  return closeCodeOfReason[reason]
}

/** Error codes the client retries on its own (the error object carries `temporary: true`). */
export function isTemporaryError(code: number): boolean {
  return code === ErrorCode.internal || code === ErrorCode.tooManyRequests || code === ErrorCode.unavailable
}

/** A refusal as the wire's error object: code by reason, the default message when it has none. */
export function errorBodyOf(error: PeerError): ErrorBody {
  const code = errorCodeOf(error.reason)
  const wire: ErrorBody = { code, message: error.message || (errorMessage[code] ?? '') }
  if (error.temporary || isTemporaryError(code)) wire.temporary = true
  return wire
}
