/** The channel namespaces the chat needs, merged into the `channels` config. */
import type { NamespaceOptionsInput } from '../../hub/options.js'
import type { ChannelsOptionsInput } from '../../hub/options.js'
import type { ChatOptions } from './chat-options.js'

/**
 * The namespaces the chat needs in the `channels` config (see chat-channels.ts for the names):
 * - `rooms`: history + recovery, presence, join/leave; clients never publish (messages go through
 *   the `chat.send` RPC, which stamps the author);
 * - `dm`: user-limited channels with history + recovery; clients never publish;
 * - `typing`: no history; subscribers publish their own typing state, small and rarely (the page
 *   sends one every 2.5 s at most while typing), so larger or faster publishes are refused;
 * - `lobby`: profile changes and new rooms, with a short history so a reconnecting page catches up.
 */
export function chatNamespaces(options: Pick<ChatOptions, 'historySize' | 'historyTtlMs'>): Record<string, NamespaceOptionsInput> {
  const history = { historySize: options.historySize, historyTtlMs: options.historyTtlMs, recover: true }
  return {
    rooms: { ...history, presence: true, joinLeave: true, allowPublish: 'none', allowHistory: 'subscribers', allowPresence: 'subscribers' },
    dm: { ...history, allowPublish: 'none', allowHistory: 'subscribers' },
    typing: {
      historySize: 0,
      historyTtlMs: 0,
      recover: false,
      allowPublish: 'subscribers',
      allowHistory: 'none',
      maxPublicationBytes: 256,
      // The page publishes once per message sent and once per 2.5 s of typing: never refused.
      clientPublishesPerSecond: 2,
      clientPublishBurst: 5,
    },
    lobby: { historySize: 100, historyTtlMs: 24 * 3600 * 1000, recover: true, allowPublish: 'none', allowHistory: 'subscribers' },
  }
}

/**
 * Adds the chat's namespaces to a `channels` section. A namespace the operator configured is kept
 * as written, so the config file can tune (or tighten) any of them.
 */
export function withChatNamespaces(channels: ChannelsOptionsInput, options: Pick<ChatOptions, 'historySize' | 'historyTtlMs'>): ChannelsOptionsInput {
  return { ...channels, namespaces: { ...chatNamespaces(options), ...(channels.namespaces ?? {}) } }
}
