/** `sprocket serve`'s chat: demo sign-in policy from the `chat` and `client` sections, and the chat's routes and RPC methods. */
import { hasTokenKey, type ClientAuthOptions } from '../../auth/index.js'
import type { RpcRegistry } from '../../components/centrifuge/rpc-registry.js'
import type { ChatOptions } from '../../components/chat/chat-options.js'
import { loadDemoSecret } from '../../components/chat/demo-secret.js'
import { mountChat } from '../../components/chat/mount-chat.js'
import type { HubApi } from '../../hub/types.js'
import type { App } from '../../server/app.js'
import type { Logger } from '../../logger.js'

type ChatConfig = { dataDir: string; chat: ChatOptions; client: ClientAuthOptions }

/** The part of `sprocket serve`'s context the chat needs. */
export type ChatMountContext = {
  app: App
  hub: HubApi
  config: ChatConfig
  logger: Logger
  onShutdown(close: () => void | Promise<void>): void
  /** The registry the native protocol calls (shared with `centrifugeMount`). */
  rpc?: RpcRegistry
  /** From `chatDemoTokenSecret(config)`: what the native protocol verifies demo tokens with. */
  demoTokenSecret?: string
}

/**
 * Whether demo sign-in is on: `chat.demoSignIn` when set, otherwise only in demo mode (no token
 * key in the `client` section), so configuring a production key never leaves it open by default.
 */
export function chatDemoSignIn(config: Pick<ChatConfig, 'chat' | 'client'>): boolean {
  return config.chat.demoSignIn ?? !hasTokenKey(config.client)
}

/**
 * The secret demo sign-in signs with when the `client` section configures no key: read or created
 * in `<dataDir>/demo-secret`. Undefined when the chat or demo sign-in is off, or a key is
 * configured (then `client.tokenSecret` is used, if it is an HMAC secret). The composition root
 * computes it once and hands it to both `centrifugeMount` and `chatMount`.
 */
export function chatDemoTokenSecret(config: ChatConfig): string | undefined {
  if (!config.chat.enabled || !chatDemoSignIn(config) || hasTokenKey(config.client)) return undefined
  return loadDemoSecret(config.dataDir)
}

/**
 * `sprocket serve`'s hook for the chat: `/chat/*` and the `chat.*` RPC methods (the page at `/`
 * is `webStaticMount`'s).
 * Needs the hub built with `withChatNamespaces` and the RPC registry the native protocol uses.
 */
export function chatMount(context: ChatMountContext): void {
  const { config, logger } = context
  if (!config.chat.enabled) return
  if (context.rpc === undefined) {
    logger.warn({}, 'chat not mounted: no RPC registry shared with the native protocol')
    return
  }
  const demoSignIn = chatDemoSignIn(config)
  const tokenSecret = demoSignIn ? (config.client.tokenSecret ?? context.demoTokenSecret) : undefined
  if (demoSignIn && config.client.tokenSecret !== undefined) {
    logger.warn({}, 'chat demo sign-in is on with a configured token secret: anyone can create a guest account (set chat.demoSignIn to false)')
  }
  const options = { ...config.chat, demoSignIn }
  const chat = mountChat(context.app, { hub: context.hub, rpc: context.rpc, auth: { tokenSecret, audience: config.client.audience, issuer: config.client.issuer }, dataDir: config.dataDir, options, logger })
  context.onShutdown(() => chat.close())
}
