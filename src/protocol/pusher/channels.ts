/**
 * Pusher channel names: validation, the kind each prefix gives a channel, and the mapping of an
 * app's channels onto hub channels. The hub knows no Pusher prefixes; each app owns two hub
 * namespaces and every Pusher channel maps onto exactly one hub channel in them, so several apps
 * stay apart and the native protocol (and `/api/publish`) can reach the same channels.
 *
 * | Pusher channel       | hub channel                                    |
 * |----------------------|------------------------------------------------|
 * | `news`               | `<namespace>:news`                             |
 * | `private-a`          | `$<namespace>:private-a`                       |
 * | `private-encrypted-a`| `$<namespace>:private-encrypted-a`             |
 * | `presence-b`         | `$<namespace>-presence:presence-b`             |
 * | `cache-c`            | `<namespace>-cache:cache-c`                    |
 * | `private-cache-c`    | `$<namespace>-cache:private-cache-c`           |
 * | `presence-cache-d`   | `$<namespace>-presence-cache:presence-cache-d` |
 * | `#server-to-user-7`  | `$<namespace>:#server-to-user-7`               |
 *
 * `$` makes the hub channel private: native-protocol clients need a subscription token for it.
 * The user channel is, for the hub, user-limited to the user `server-to-user-7`.
 */

/** Longest Pusher channel name (prefix included), per Pusher's naming rules. */
export const maxChannelNameLength = 164

const namePattern = /^[A-Za-z0-9_\-=@,.;]+$/

/** `user`: `#server-to-user-{id}`, a signed-in user's own channel (server events only). */
export type ChannelKind = 'public' | 'private' | 'encrypted' | 'presence' | 'user'

/** The prefix of a signed-in user's channel. */
export const userChannelPrefix = '#server-to-user-'

/** User ids of signed-in users: Pusher's channel characters but `,` (the hub's user-list separator). */
export const userIdPattern = /^[A-Za-z0-9_\-=@.;]{1,128}$/

/** The channel `pusher:signin` subscribes a user to. */
export function userChannelOf(userId: string): string {
  return `${userChannelPrefix}${userId}`
}

/** A validated Pusher channel name and what its prefix makes it. */
export type PusherChannel = {
  readonly name: string
  readonly kind: ChannelKind
  /** `cache-`, `private-cache-`, `presence-cache-`: the last event is replayed on subscribe (or `pusher:cache_miss`). */
  readonly cache: boolean
  /** The user of a `user` channel. */
  readonly userId?: string
}

/** Parses a channel name; undefined when it is empty, too long or has characters Pusher does not allow. */
export function parsePusherChannel(name: string): PusherChannel | undefined {
  if (name.startsWith(userChannelPrefix)) {
    const userId = name.slice(userChannelPrefix.length)
    return userIdPattern.test(userId) ? { name, kind: 'user', cache: false, userId } : undefined
  }
  if (name.length === 0 || name.length > maxChannelNameLength || !namePattern.test(name)) return undefined
  if (name.startsWith('private-encrypted-')) return { name, kind: 'encrypted', cache: false }
  if (name.startsWith('private-')) return { name, kind: 'private', cache: name.startsWith('private-cache-') }
  if (name.startsWith('presence-')) return { name, kind: 'presence', cache: name.startsWith('presence-cache-') }
  return { name, kind: 'public', cache: name.startsWith('cache-') }
}

/** Private, encrypted and presence channels need a signed `auth` (user channels need a sign-in instead). */
export function needsAuth(channel: PusherChannel): boolean {
  return channel.kind !== 'public' && channel.kind !== 'user'
}

/** Client events are allowed on private and presence channels (not encrypted ones, not public ones). */
export function allowsClientEvents(channel: PusherChannel): boolean {
  return channel.kind === 'private' || channel.kind === 'presence'
}

/** The hub namespace of an app's presence channels: `<namespace>-presence`. */
export function presenceNamespaceOf(namespace: string): string {
  return `${namespace}-presence`
}

/** The hub namespace of an app's public and private cache channels: `<namespace>-cache`. */
export function cacheNamespaceOf(namespace: string): string {
  return `${namespace}-cache`
}

/** The hub namespace of an app's presence cache channels: `<namespace>-presence-cache`. */
export function presenceCacheNamespaceOf(namespace: string): string {
  return `${namespace}-presence-cache`
}

/** Every hub namespace an app's channels use. */
export function namespacesOf(namespace: string): string[] {
  return [namespace, presenceNamespaceOf(namespace), cacheNamespaceOf(namespace), presenceCacheNamespaceOf(namespace)]
}

/** The hub channel an app's Pusher channel maps onto (see the table above). */
export function hubChannelOf(namespace: string, channel: PusherChannel): string {
  switch (channel.kind) {
    case 'public':
      return channel.cache ? `${cacheNamespaceOf(namespace)}:${channel.name}` : `${namespace}:${channel.name}`
    case 'private':
      return channel.cache ? `$${cacheNamespaceOf(namespace)}:${channel.name}` : `$${namespace}:${channel.name}`
    case 'encrypted':
      return `$${namespace}:${channel.name}`
    case 'presence':
      return `$${(channel.cache ? presenceCacheNamespaceOf : presenceNamespaceOf)(namespace)}:${channel.name}`
    case 'user':
      return `$${namespace}:${channel.name}`
    default: {
      const _: never = channel.kind
      return _
    }
  }
}

/** The Pusher channel name of a hub channel of any app: the part after the namespace. */
export function pusherNameOf(hubChannel: string): string {
  return hubChannel.slice(hubChannel.indexOf(':') + 1)
}

/**
 * The Pusher channel a hub channel is, for the app with `namespace`; undefined when the hub
 * channel is not one of that app's mapped channels (e.g. `<namespace>:private-x`, a public hub
 * channel a native client named, is not the app's `private-x`).
 */
export function appChannelOf(namespace: string, hubChannel: string): PusherChannel | undefined {
  const channel = parsePusherChannel(pusherNameOf(hubChannel))
  if (channel === undefined || hubChannelOf(namespace, channel) !== hubChannel) return undefined
  return channel
}
