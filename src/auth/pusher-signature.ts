/**
 * Pusher's HMAC-SHA256 signatures: channel auth (`private-`, `presence-`), user sign-in, REST
 * request signing and webhook bodies. One place computes and compares them, in constant time, so
 * the WebSocket component, the REST API and the webhook sender cannot disagree on the scheme.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** Lower-case hex HMAC-SHA256 of `text` with `secret`. */
export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex')
}

/** Lower-case hex MD5 of a body (the REST API's `body_md5`). */
export function md5Hex(body: Uint8Array | string): string {
  return createHash('md5').update(body).digest('hex')
}

/**
 * Compares two strings in time that depends only on their lengths (which are public: a hex
 * digest is always 64 characters), so a peer cannot learn a signature byte by byte.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  if (left.length !== right.length) {
    // Still spend the comparison, then fail.
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}

/** An app's credentials, as the signatures need them. */
export type PusherCredentials = { readonly key: string; readonly secret: string }

/**
 * The `auth` value a customer's auth endpoint returns for a channel:
 * `key:hex(HMAC(secret, socket_id:channel[:channel_data]))`. `channelData` only for presence.
 */
export function channelAuth(app: PusherCredentials, socketId: string, channel: string, channelData?: string): string {
  const text = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`
  return `${app.key}:${hmacSha256Hex(app.secret, text)}`
}

/** True when `auth` is this app's signature for the channel (constant-time). */
export function verifyChannelAuth(app: PusherCredentials, socketId: string, channel: string, auth: string, channelData?: string): boolean {
  return constantTimeEqual(auth, channelAuth(app, socketId, channel, channelData))
}

/** The `auth` of `pusher:signin`: `key:hex(HMAC(secret, socket_id::user::user_data))`. */
export function userAuth(app: PusherCredentials, socketId: string, userData: string): string {
  return `${app.key}:${hmacSha256Hex(app.secret, `${socketId}::user::${userData}`)}`
}

/** True when `auth` is this app's sign-in signature for the user data (constant-time). */
export function verifyUserAuth(app: PusherCredentials, socketId: string, userData: string, auth: string): boolean {
  return constantTimeEqual(auth, userAuth(app, socketId, userData))
}

/**
 * The text a REST request's `auth_signature` signs: `METHOD\nPATH\nk1=v1&k2=v2…`, the parameters
 * (every query parameter but `auth_signature`, decoded, not re-encoded) sorted by key.
 */
export function requestStringToSign(method: string, path: string, params: Readonly<Record<string, string>>): string {
  const query = Object.keys(params)
    .filter((key) => key !== 'auth_signature')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&')
  return `${method.toUpperCase()}\n${path}\n${query}`
}

/** The `auth_signature` of a REST request. */
export function requestSignature(secret: string, method: string, path: string, params: Readonly<Record<string, string>>): string {
  return hmacSha256Hex(secret, requestStringToSign(method, path, params))
}

/** The `X-Pusher-Signature` of a webhook body. */
export function webhookSignature(secret: string, body: string): string {
  return hmacSha256Hex(secret, body)
}
