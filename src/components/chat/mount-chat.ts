/** The chat's library call: `mountChat(app, …)` adds its routes and RPC methods to an `App`. */
import { join } from 'node:path'
import type { HubApi } from '../../hub/types.js'
import type { Logger } from '../../logger.js'
import type { App } from '../../server/app.js'
import type { RpcRegistry } from '../centrifuge/rpc-registry.js'
import { ChatService } from './chat-service.js'
import { createChatHttpHandler } from './chat-http.js'
import { chatOptionsSchema, type ChatOptions } from './chat-options.js'
import { registerChatRpc } from './chat-rpc.js'
import { ChatStore } from './chat-store.js'

/** Where the chat keeps its tables, in the data directory. */
export const chatDbFile = 'chat.db'

export type MountChatOptions = {
  hub: HubApi
  /** The registry the native-protocol endpoint calls; the `chat.*` methods are added to it. */
  rpc: RpcRegistry
  auth: {
    /**
     * The HS256 secret the connection verifier accepts (`client.tokenSecret`, or the demo secret
     * from `loadDemoSecret` when none is configured). Demo sign-in signs with it; without one,
     * demo sign-in is off.
     */
    tokenSecret?: string | undefined
    /** `aud` and `iss` the verifier requires (`client.audience`, `client.issuer`); demo tokens carry them. */
    audience?: string | undefined
    issuer?: string | undefined
  }
  dataDir: string
  /** The `chat` config section (parsed or not); `demoSignIn` unset counts as off here (`chatMount` resolves it). */
  options?: Partial<ChatOptions>
  logger?: Logger
}

/** What `mountChat` built; `close()` at shutdown, after the server stopped. */
export type MountedChat = { service: ChatService; store: ChatStore; options: ChatOptions; close(): void }

/**
 * Mounts the chat app's server side: `/chat/config`, `/chat/signin` and the `chat.*` RPC
 * methods. The page itself (`web/`) is static files, mounted at `/` by the composition root
 * (`webStaticMount`). The hub must have the chat's namespaces (`withChatNamespaces`).
 * State lives in `<dataDir>/chat.db`, a file of its own so the chat works the same whichever
 * engine carries the channels (memory, sqlite or redis).
 */
export function mountChat(app: App, mount: MountChatOptions): MountedChat {
  const options = chatOptionsSchema.parse(mount.options ?? {})
  const store = new ChatStore(join(mount.dataDir, chatDbFile))
  const service = new ChatService(store, mount.hub, options)
  const unregister = registerChatRpc(mount.rpc, service)
  const demoSignIn = options.demoSignIn === true && mount.auth.tokenSecret !== undefined
  app.mount('/chat/*', createChatHttpHandler({ options: { ...options, demoSignIn }, service, tokenSecret: mount.auth.tokenSecret, tokenClaims: { audience: mount.auth.audience, issuer: mount.auth.issuer }, logger: mount.logger }))
  mount.logger?.info({ demoSignIn, db: join(mount.dataDir, chatDbFile) }, 'chat mounted')
  return {
    service,
    store,
    options,
    close() {
      unregister()
      store.close()
    },
  }
}
