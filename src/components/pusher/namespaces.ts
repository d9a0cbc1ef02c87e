/**
 * The hub namespaces the Pusher apps' channels live in (see `protocol/pusher/channels.ts` for the
 * mapping): added to the `channels` config before the hub is built, so the hub stays
 * protocol-neutral and knows these channels as any others.
 */
import type { ChannelsOptionsInput, NamespaceOptionsInput } from '../../hub/index.js'
import { presenceNamespaceOf, type PusherApp } from '../../protocol/pusher/index.js'

/**
 * Public and private channels: no presence, no history, clients never publish through the
 * native protocol (Pusher client events go through the Pusher component), anonymous native
 * clients may subscribe to the public ones (private ones are `$` channels: they need a token).
 */
const channelNamespace: NamespaceOptionsInput = { anonymousAccess: true, allowPublish: 'none' }
/** Presence channels: presence entries and join/leave per user (member_added / member_removed). */
const presenceNamespace: NamespaceOptionsInput = { presence: true, joinLeave: true, allowPublish: 'none' }

/** Two namespaces per app: `<namespace>` and `<namespace>-presence`. */
export function pusherNamespaces(apps: readonly PusherApp[]): Record<string, NamespaceOptionsInput> {
  const namespaces: Record<string, NamespaceOptionsInput> = {}
  for (const app of apps) {
    namespaces[app.namespace] = channelNamespace
    namespaces[presenceNamespaceOf(app.namespace)] = presenceNamespace
  }
  return namespaces
}

/**
 * The `channels` section with the apps' namespaces added. A namespace the config already names
 * keeps the config's options (to give an app's channels history, say); the presence namespace
 * must keep `presence` on for presence channels to work.
 */
export function withPusherNamespaces(channels: ChannelsOptionsInput, apps: readonly PusherApp[]): ChannelsOptionsInput {
  return { ...channels, namespaces: { ...pusherNamespaces(apps), ...(channels.namespaces ?? {}) } }
}
