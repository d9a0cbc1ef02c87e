/**
 * Verifies a Pusher REST request's signature: `auth_key` is the app's key, `auth_timestamp` is
 * within ±600 s of now, `body_md5` matches the body (required when there is one), and
 * `auth_signature` is HMAC-SHA256 over `METHOD\nPATH\nsorted decoded params`, compared in
 * constant time. PATH is `/apps/{id}/…` without any mount prefix.
 */
import { constantTimeEqual, md5Hex, requestSignature } from '../../auth/pusher-signature.js'
import type { PusherApp } from '../../protocol/pusher/index.js'

/** Pusher's window for `auth_timestamp`, in seconds. */
export const timestampWindowSeconds = 600

export type AuthCheck = { ok: true } | { ok: false; status: 401; message: string }

function fail(message: string): AuthCheck {
  return { ok: false, status: 401, message }
}

export function checkRequestAuth(
  app: PusherApp,
  method: string,
  path: string,
  params: Readonly<Record<string, string>>,
  body: Uint8Array,
  nowMs: number,
): AuthCheck {
  const { auth_key: key, auth_timestamp: timestamp, auth_signature: signature, body_md5: bodyMd5 } = params
  if (key === undefined || timestamp === undefined || signature === undefined) {
    return fail('auth_key, auth_timestamp and auth_signature are required')
  }
  if (!constantTimeEqual(key, app.key)) return fail('invalid auth_key')
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - Number(timestamp)) > timestampWindowSeconds) {
    return fail(`auth_timestamp is more than ${timestampWindowSeconds} seconds away from the server time`)
  }
  if (body.length > 0 || bodyMd5 !== undefined) {
    if (bodyMd5 === undefined || !constantTimeEqual(bodyMd5, md5Hex(body))) return fail('body_md5 does not match the body')
  }
  if (!constantTimeEqual(signature, requestSignature(app.secret, method, path, params))) return fail('invalid signature')
  return { ok: true }
}
