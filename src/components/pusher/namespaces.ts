/**
 * The hub namespaces the Pusher apps' channels live in (see `protocol/pusher/channels.ts` for the
 * mapping): added to the `channels` config before the hub is built, so the hub stays
 * protocol-neutral and knows these channels as any others.
 */
import type { ChannelsOptionsInput, NamespaceOptionsInput } from '../../hub/index.js'
import { cacheNamespaceOf, presenceCacheNamespaceOf, presenceNamespaceOf, type PusherApp } from '../../protocol/pusher/index.js'

/**
 * Public and private channels: no presence, no history, clients never publish through the
 * native protocol (Pusher client events go through the Pusher component), anonymous native
 * clients may subscribe to the public ones (private ones are `$` channels: they need a token).
 */
const channelNamespace: NamespaceOptionsInput = { anonymousAccess: true, allowPublish: 'none' }
/** Presence channels: presence entries and join/leave per user (member_added / member_removed). */
const presenceNamespace: NamespaceOptionsInput = { presence: true, joinLeave: true, allowPublish: 'none' }

/**
 * Cache channels keep their last event: a history of one, without recovery (Pusher clients do
 * not recover; the component replays the last event itself).
 */
function cached(options: NamespaceOptionsInput, ttlSeconds: number): NamespaceOptionsInput {
  return { ...options, historySize: 1, historyTtlMs: ttlSeconds * 1000, recover: false }
}

/** Four namespaces per app: `<namespace>`, `-presence`, `-cache`, `-presence-cache`. */
export function pusherNamespaces(apps: readonly PusherApp[]): Record<string, NamespaceOptionsInput> {
  const namespaces: Record<string, NamespaceOptionsInput> = {}
  for (const app of apps) {
    namespaces[app.namespace] = channelNamespace
    namespaces[presenceNamespaceOf(app.namespace)] = presenceNamespace
    namespaces[cacheNamespaceOf(app.namespace)] = cached(channelNamespace, app.cacheTtlSeconds)
    namespaces[presenceCacheNamespaceOf(app.namespace)] = cached(presenceNamespace, app.cacheTtlSeconds)
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
