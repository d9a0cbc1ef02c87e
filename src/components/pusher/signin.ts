/**
 * `pusher:signin` (Pusher user authentication): the `auth` signature over
 * `socket_id::user::user_data` checked in constant time, `user_data` bounded and holding a string
 * `id`. A valid sign-in is answered `pusher:signin_success`; pusher-js then subscribes to
 * `#server-to-user-{id}`, which only that signed-in connection may. A bad one costs the
 * connection: `pusher:error` 4009 and close 4009.
 */
import { verifyUserAuth } from '../../auth/pusher-signature.js'
import { encodeSigninSuccess, PusherCode, userIdPattern } from '../../protocol/pusher/index.js'
import type { PusherSession } from './session.js'

/** The user id of `user_data`, or undefined when it is not an object with a usable string `id`. */
function userIdOf(userData: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(userData)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const id = (parsed as { id?: unknown }).id
  return typeof id === 'string' && userIdPattern.test(id) ? id : undefined
}

export function signin(session: PusherSession, auth: string, userData: string): void {
  if (session.signedInUser !== undefined) {
    session.error(PusherCode.invalidMessage, 'already signed in')
    return
  }
  const userId = userIdOf(userData)
  if (!verifyUserAuth(session.app, session.socketId, userData, auth)) {
    session.error(PusherCode.unauthorized, 'invalid signin signature', true)
    return
  }
  if (userId === undefined) {
    session.error(PusherCode.unauthorized, 'user_data must be a JSON object with a string id (1-128 of A-Z a-z 0-9 _ - = @ . ;)', true)
    return
  }
  session.signedInUser = userId
  session.send(encodeSigninSuccess(userData))
}
