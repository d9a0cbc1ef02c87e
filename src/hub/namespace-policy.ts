/** Who may subscribe, publish and read history or presence, by namespace options. */
import { ErrorReason, PeerError } from '../errors.js'
import type { ResolvedChannel } from './channel-options.js'
import type { Actor } from './types.js'

/** Client operations besides subscribe that namespace options govern. */
export type ClientOperation = 'publish' | 'history' | 'presence'

function denied(): PeerError {
  return new PeerError(ErrorReason.permissionDenied, 'permission denied')
}

/**
 * May this connection subscribe? Throws `PeerError(permissionDenied)` if not. In order:
 * 1. `granted` (a valid subscription token, or a server-side subscription) allows everything,
 *    user-limited channels included: whoever signed the token decided;
 * 2. `$` private channels need that grant;
 * 3. user-limited channels (`dm:#alice,bob`, `#42`) allow exactly their listed users and no one else;
 * 4. anonymous connections need `anonymousAccess`;
 * 5. `allowSubscribe`.
 */
export function checkSubscribe(channel: ResolvedChannel, userId: string, granted: boolean): void {
  if (granted) return
  if (channel.isPrivate) throw denied()
  if (channel.users !== undefined) {
    if (userId !== '' && channel.users.includes(userId)) return
    throw denied()
  }
  if (userId === '' && !channel.options.anonymousAccess) throw denied()
  if (!channel.options.allowSubscribe) throw denied()
}

/**
 * May a client publish, read history or read presence? Throws `PeerError(permissionDenied)` if not.
 * `subscribed`: the actor's connection is subscribed to the channel on this node.
 * User-limited channels admit only their listed users, and personal channels (`#42`) take
 * publications from the server only. Then anonymous access, then the namespace's access level
 * (`$` private channels treat `clients` as `subscribers`, since subscribing needed a token).
 */
export function checkClientAccess(channel: ResolvedChannel, operation: ClientOperation, actor: Actor, subscribed: boolean): void {
  if (channel.users !== undefined) {
    if (actor.userId === '' || !channel.users.includes(actor.userId)) throw denied()
    if (channel.isPersonal && operation === 'publish') throw denied()
  }
  if (actor.userId === '' && !channel.options.anonymousAccess) throw denied()
  const level =
    operation === 'publish' ? channel.options.allowPublish : operation === 'history' ? channel.options.allowHistory : channel.options.allowPresence
  if (level === 'none') throw denied()
  if (level === 'subscribers' || channel.isPrivate) {
    if (!subscribed) throw denied()
  }
}
