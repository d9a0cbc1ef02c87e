/**
 * A peer's mistake: it becomes an error reply, or a close with `closeCode`.
 * `code` is stable and documented in docs/errors.md; tests assert it, never the message.
 * A leaf module: every layer may import it.
 */
export class ProtocolError extends Error {
  readonly code: number
  readonly closeCode: number | undefined

  constructor(code: number, message: string, closeCode?: number) {
    super(message)
    this.name = 'ProtocolError'
    this.code = code
    this.closeCode = closeCode
  }
}

/**
 * Error codes shared by the hub, the native protocol and the server API. The numbers are the
 * Centrifugo protocol's, so its clients react to them as they should.
 */
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
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
