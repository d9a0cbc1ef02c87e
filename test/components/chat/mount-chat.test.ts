import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { RpcRegistry } from '../../../src/components/centrifuge/rpc-registry.js'
import { withChatNamespaces } from '../../../src/components/chat/chat-namespaces.js'
import { chatOptionsSchema } from '../../../src/components/chat/chat-options.js'
import { mountChat, type MountedChat } from '../../../src/components/chat/mount-chat.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { Hub } from '../../../src/hub/hub.js'
import { App } from '../../../src/server/app.js'

describe('mountChat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-mount-chat-'))
  let hub: Hub
  let app: App
  let chat: MountedChat
  let url: string

  before(async () => {
    hub = new Hub(createMemoryEngine(), withChatNamespaces({}, chatOptionsSchema.parse({})))
    await hub.start()
    app = new App({ host: '127.0.0.1', port: 0 })
    chat = mountChat(app, { hub, rpc: new RpcRegistry(), auth: {}, dataDir: dir })
    await app.listen()
    url = `http://127.0.0.1:${app.port}`
  })
  after(async () => {
    await app.close({ timeoutMs: 1000 })
    chat.close()
    await hub.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('mounts the chat routes only: the page at / is the composition root\'s', async () => {
    assert.equal((await fetch(`${url}/chat/config`)).status, 200)
    assert.equal((await fetch(`${url}/`)).status, 404)
    assert.equal((await fetch(`${url}/index.html`)).status, 404)
  })

  it('imports nothing from src/http (the request body reader is the server\'s)', () => {
    const folder = new URL('../../../src/components/chat/', import.meta.url)
    const imports = readdirSync(folder).flatMap((file) =>
      [...readFileSync(new URL(file, folder), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => `${file}: ${match[1]}`),
    )
    assert.deepEqual(imports.filter((line) => line.includes('/http/')), [])
  })
})
