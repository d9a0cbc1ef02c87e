/**
 * Channel names of the chat app, built in one place. Namespaces are configured by
 * `chatNamespaces` (chat-namespaces.ts).
 *
 * - `rooms:<roomId>` — a room's messages (history, presence, join/leave; only the server publishes)
 * - `dm:#<a>,<b>` — a direct conversation, user ids sorted; only those two users may subscribe
 * - `typing:<roomId>`, `typing:#<a>,<b>` — typing indicators (no history; subscribers publish)
 * - `lobby:events` — profile changes and new rooms, for everyone signed in
 * - `#<userId>` — the user's personal channel: new DMs and membership changes of their other tabs
 */
export const lobbyChannel = 'lobby:events'

/** Room ids: lowercase letters, digits and dashes; 1–32 characters. */
export const roomIdPattern = /^[a-z0-9][a-z0-9-]{0,31}$/
/** User ids the chat creates or accepts from tokens: no separators of channel names. */
export const userIdPattern = /^[A-Za-z0-9_.@-]{1,64}$/

export function roomChannel(roomId: string): string {
  return `rooms:${roomId}`
}

export function dmChannel(userA: string, userB: string): string {
  const [first, second] = [userA, userB].sort()
  return `dm:#${first},${second}`
}

export function personalChannel(userId: string): string {
  return `#${userId}`
}

/** The two user ids of a DM channel, or undefined when `channel` is not one. */
export function dmUsers(channel: string): [string, string] | undefined {
  const match = /^dm:#([^,]+),([^,]+)$/.exec(channel)
  if (match === null) return undefined
  return [match[1] ?? '', match[2] ?? '']
}

/** The room id of a room channel, or undefined. */
export function roomOf(channel: string): string | undefined {
  const match = /^rooms:(.+)$/.exec(channel)
  return match === null ? undefined : match[1]
}

/** Turns a room title into a candidate id: `Design Review!` → `design-review`. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/g, '')
  return slug === '' ? 'room' : slug
}
