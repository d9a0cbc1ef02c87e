/** Channel name grammar: namespace, user-limited and personal channels. */
import { ErrorReason, PeerError } from '../errors.js'

/**
 * The parts of a channel name. A channel is just its string; this is what the hub reads from it.
 *
 * Grammar: `[$][namespace:]base[#user1,user2,…]`
 * - a leading `$` marks a private channel: clients subscribe only with a subscription token;
 * - the namespace is the part before the first `:` that comes before any `#` (none → default);
 * - `#` makes the channel user-limited: only the listed user ids may use it as clients. The user
 *   list is everything after the first `#`, split by `,`; ids may contain `:` but not `,` or `#`;
 * - `#42` (nothing before `#`, one user) is user 42's personal channel: only they may subscribe,
 *   and only the server publishes to it.
 * Characters: printable ASCII without space (`!` … `~`), at most `maxLength` of them.
 */
export type ChannelName = {
  readonly name: string
  /** '' for the default namespace. */
  readonly namespace: string
  /** Starts with `$`. */
  readonly isPrivate: boolean
  /** User ids after `#`; undefined when the channel is not user-limited. */
  readonly users: readonly string[] | undefined
  /** `#<user>`: a user's direct-message channel. */
  readonly isPersonal: boolean
}

/** The channel a user receives direct messages on (`#42`); only that user may subscribe. */
export function personalChannel(userId: string): string {
  if (userId === '' || /[,#]/.test(userId)) throw new PeerError(ErrorReason.badRequest, 'invalid user id for a personal channel')
  return `#${userId}`
}

/** Builds a user-limited channel (`dm:#alice,bob`) with its users sorted, so both sides name it alike. */
export function userLimitedChannel(prefix: string, userIds: readonly string[]): string {
  if (userIds.length === 0 || userIds.some((id) => id === '' || /[,#]/.test(id))) {
    throw new PeerError(ErrorReason.badRequest, 'invalid user ids for a user-limited channel')
  }
  return `${prefix}#${[...new Set(userIds)].sort().join(',')}`
}

const printableAscii = /^[!-~]+$/
const namespacePart = /^[-a-zA-Z0-9_]+$/

function invalid(message: string): PeerError {
  return new PeerError(ErrorReason.badRequest, message)
}

/**
 * Splits and validates a channel name. Throws `PeerError(badRequest)` for an empty, too long or
 * malformed name. Whether the namespace exists is the caller's question (`unknownChannel`).
 */
export function parseChannelName(name: string, maxLength: number): ChannelName {
  if (name.length === 0) throw invalid('empty channel name')
  if (name.length > maxLength) throw invalid('channel name too long')
  if (!printableAscii.test(name)) throw invalid('channel name has characters outside printable ASCII')

  const hash = name.indexOf('#')
  const head = hash === -1 ? name : name.slice(0, hash)
  const isPrivate = head.startsWith('$')
  const unprefixed = isPrivate ? head.slice(1) : head
  const colon = unprefixed.indexOf(':')
  const namespace = colon === -1 ? '' : unprefixed.slice(0, colon)
  if (colon !== -1 && !namespacePart.test(namespace)) throw invalid('invalid namespace in channel name')
  if (hash === -1 && unprefixed.slice(colon + 1).length === 0) throw invalid('empty channel name after namespace')

  let users: string[] | undefined
  if (hash !== -1) {
    users = name.slice(hash + 1).split(',')
    if (users.some((user) => user === '' || user.includes('#'))) throw invalid('invalid user list in channel name')
  }
  const isPersonal = hash === 0 && users !== undefined && users.length === 1
  return { name, namespace, isPrivate, users, isPersonal }
}
