import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTokenVerifier } from '../../../src/auth/index.js'
import { createChatHttpHandler } from '../../../src/components/chat/chat-http.js'
import { chatOptionsSchema } from '../../../src/components/chat/chat-options.js'
import { ChatService } from '../../../src/components/chat/chat-service.js'
import { ChatStore } from '../../../src/components/chat/chat-store.js'
import { chatDemoTokenSecret } from '../../../src/cli/mounts/chat.js'
import { loadDemoSecret } from '../../../src/components/chat/demo-secret.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { Hub } from '../../../src/hub/hub.js'

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('chat HTTP routes', () => {
  let dir: string
  let hub: Hub
  let store: ChatStore
  let secret: string
  let demo: Server
  let production: Server
  let demoUrl: string
  let productionUrl: string

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprocket-chat-http-'))
    hub = new Hub(createMemoryEngine(), {})
    await hub.start()
    store = new ChatStore(':memory:')
    const service = new ChatService(store, hub, chatOptionsSchema.parse({}))
    secret = loadDemoSecret(dir)
    demo = createServer(createChatHttpHandler({ options: chatOptionsSchema.parse({ demoSignIn: true, maxSignInsPerHour: 4 }), service, tokenSecret: secret }))
    production = createServer(createChatHttpHandler({ options: chatOptionsSchema.parse({ demoSignIn: false, tokenUrl: 'https://example.com/chat-token' }), service, tokenSecret: undefined }))
    demoUrl = await listen(demo)
    productionUrl = await listen(production)
  })
  after(async () => {
    demo.close()
    production.close()
    await hub.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = (url: string, body: string, type = 'application/json') => fetch(`${url}/chat/signin`, { method: 'POST', headers: { 'content-type': type }, body })

  it('signs a demo user in: stored profile, and a token the verifier accepts', async () => {
    const response = await post(demoUrl, JSON.stringify({ name: '  Ann Lee ' }))
    assert.equal(response.status, 200)
    const body = (await response.json()) as { token: string; profile: { id: string; name: string; initials: string } }
    assert.equal(body.profile.name, 'Ann Lee')
    assert.equal(body.profile.initials, 'AL')
    const claims = await createTokenVerifier({ tokenSecret: secret }).verifyConnectionToken(body.token)
    assert.equal(claims.sub, body.profile.id)
    assert.ok((claims.exp ?? 0) > Date.now() / 1000 + 86_400)
    assert.equal(store.getProfile(body.profile.id)?.name, 'Ann Lee')
  })

  it('refuses bad names, non-JSON, large bodies and too many sign-ins from one address', async () => {
    assert.equal((await post(demoUrl, JSON.stringify({ name: '' }))).status, 400)
    assert.equal((await post(demoUrl, 'name=Ann', 'application/x-www-form-urlencoded')).status, 415)
    assert.equal((await post(demoUrl, JSON.stringify({ name: 'x'.repeat(5000) }))).status, 413)
    assert.equal((await fetch(`${demoUrl}/chat/signin`)).status, 405)
    // Four attempts per address per hour (the sign-in above, the bad name, the large body): one more passes.
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await post(demoUrl, JSON.stringify({ name: `n${i}` }))).status)
    assert.deepEqual(statuses, [200, 429, 429])
  })

  it('tells the page how to sign in; production mode has no demo sign-in', async () => {
    const demoConfig = (await (await fetch(`${demoUrl}/chat/config`)).json()) as { demoSignIn: boolean; colors: string[] }
    assert.equal(demoConfig.demoSignIn, true)
    assert.equal(demoConfig.colors.length, 10)
    const prodConfig = (await (await fetch(`${productionUrl}/chat/config`)).json()) as { demoSignIn: boolean; tokenUrl: string }
    assert.deepEqual([prodConfig.demoSignIn, prodConfig.tokenUrl], [false, 'https://example.com/chat-token'])
    assert.equal((await post(productionUrl, JSON.stringify({ name: 'Ann' }))).status, 404)
    assert.equal((await fetch(`${demoUrl}/chat/other`)).status, 404)
  })

  it('keeps the demo secret per data directory, mode 0600, and only in demo mode', () => {
    assert.equal(loadDemoSecret(dir), secret)
    assert.equal(statSync(join(dir, 'demo-secret')).mode & 0o777, 0o600)
    const chat = chatOptionsSchema.parse({})
    assert.equal(chatDemoTokenSecret({ dataDir: dir, chat, client: {} }), secret)
    assert.equal(chatDemoTokenSecret({ dataDir: dir, chat, client: { tokenSecret: 'configured' } }), undefined)
    assert.equal(chatDemoTokenSecret({ dataDir: dir, chat: { ...chat, demoSignIn: false }, client: {} }), undefined)
  })
})
