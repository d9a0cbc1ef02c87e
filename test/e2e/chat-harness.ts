import type { AddressInfo } from 'node:net'
import { createTokenVerifier } from '../../src/auth/index.js'
import { RpcRegistry } from '../../src/components/centrifuge/rpc-registry.js'
import { mountCentrifuge } from '../../src/components/centrifuge/mount-centrifuge.js'
import { chatOptionsSchema, loadDemoSecret, mountChat, withChatNamespaces } from '../../src/components/chat/index.js'
import { createEngine } from '../../src/engine/index.js'
import { createHub } from '../../src/hub/index.js'
import type { HubApi } from '../../src/hub/types.js'
import { mountClientScript } from '../../src/http/client-script.js'
import { App } from '../../src/server/app.js'

/** Options Chromium needs on this machine (and CI): no sandbox, no GPU, nothing phoning home. */
export const chromiumOptions = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

export type ChatServer = {
  url: string
  port: number
  hub: HubApi
  close(): Promise<void>
}

const quiet = { warn: () => {}, error: (details: object, message: string) => console.error(message, details) }

/**
 * Sprocket as `sprocket serve` composes it for the chat: sqlite engine in `dataDir`, the hub with
 * the chat namespaces, the native protocol (tokens signed with the demo secret), the client
 * script, and the chat. `port` 0 picks a free one; pass the old port to restart in place.
 */
export async function startChatServer(dataDir: string, port = 0): Promise<ChatServer> {
  const engine = createEngine({ type: 'sqlite' }, { dataDir })
  const chatOptions = chatOptionsSchema.parse({})
  const hub = await createHub(engine, withChatNamespaces({}, chatOptions), quiet)
  const app = new App({ host: '127.0.0.1', port })
  const tokenSecret = loadDemoSecret(dataDir)
  const rpc = new RpcRegistry()
  const centrifuge = mountCentrifuge(app, { hub, rpc, auth: createTokenVerifier({ tokenSecret }), options: { allowAnonymous: false }, allowedOrigins: ['*'] })
  mountClientScript(app)
  const chat = mountChat(app, { hub, rpc, auth: { tokenSecret }, dataDir, options: chatOptions })
  const address: AddressInfo = await app.listen()
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    hub,
    async close() {
      centrifuge.shutdown()
      await app.close({ timeoutMs: 2000 })
      centrifuge.close()
      chat.close()
      await hub.close()
      await engine.close()
    },
  }
}
