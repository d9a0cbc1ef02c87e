import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Centrifuge } from 'centrifuge'
import { pino } from 'pino'
import WebSocket from 'ws'
import { createTokenVerifier } from '../../../src/auth/token-verifier.js'
import { signConnectionToken } from '../../../src/auth/sign-token.js'
import type { CentrifugeComponent } from '../../../src/components/centrifuge/centrifuge-component.js'
import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import type { Engine } from '../../../src/engine/types.js'
import { createHub, type Hub } from '../../../src/hub/hub.js'
import { mountServerApi } from '../../../src/http/centrifuge-api/server-api.js'
import { App } from '../../../src/server/app.js'
import { channelsConfig } from './api-harness.js'

const SECRET = 'api-centrifuge-secret-0123456789'
const API_KEY = 'api-centrifuge-key'

let engine: Engine
let hub: Hub
let app: App
let component: CentrifugeComponent

before(async () => {
  engine = createMemoryEngine()
  hub = await createHub(engine, channelsConfig, pino({ level: 'silent' }))
  app = new App({ port: 0, host: '127.0.0.1', keepaliveIntervalMs: 0 })
  component = mountCentrifuge(app, { hub, auth: createTokenVerifier({ tokenSecret: SECRET }), logger: pino({ level: 'silent' }) })
  mountServerApi(app, { hub, apiKey: API_KEY, logger: pino({ level: 'silent' }) })
  await app.listen()
})

after(async () => {
  component.close()
  await app.close({ timeoutMs: 1000 })
  await hub.close()
  await engine.close()
})

async function api(method: string, body: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${app.port}/api/${method}`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(res.status, 200)
  return res.json()
}

function once<T>(emitter: { once(event: string, listener: (ctx: T) => void): unknown }, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), timeoutMs)
    emitter.once(event, (ctx: T) => {
      clearTimeout(timer)
      resolve(ctx)
    })
  })
}

async function connect(user: string): Promise<Centrifuge> {
  return (await connectWithId(user)).client
}

async function connectWithId(user: string): Promise<{ client: Centrifuge; clientId: string }> {
  const token = await signConnectionToken({ secret: SECRET, sub: user, ttlSeconds: 600, info: { name: `user ${user}` } })
  const client = new Centrifuge(`ws://127.0.0.1:${app.port}/connection/websocket`, { websocket: WebSocket, token, minReconnectDelay: 50, maxReconnectDelay: 100 })
  const connected = once<{ client: string }>(client, 'connected')
  client.connect()
  return { client, clientId: (await connected).client }
}

test('server API subscribe, publish, presence, unsubscribe and disconnect reach a real client', async () => {
  const client = await connect('42')
  try {
    const subscribed = once<{ channel: string; data?: unknown }>(client, 'subscribed')
    assert.deepEqual(await api('subscribe', { user: '42', channel: 'chat:api', data: { why: 'api' } }), { result: {} })
    const ctx = await subscribed
    assert.equal(ctx.channel, 'chat:api')
    assert.deepEqual(ctx.data, { why: 'api' })

    const publication = once<{ channel: string; data: unknown }>(client, 'publication')
    const published = await api('publish', { channel: 'chat:api', data: { text: 'hi' } })
    assert.equal(published.result.offset, 1)
    assert.deepEqual((await publication).data, { text: 'hi' })

    const presence = (await api('presence', { channel: 'chat:api' })).result.presence
    const entries = Object.values(presence) as Array<{ user: string; conn_info?: unknown }>
    assert.equal(entries.length, 1)
    assert.equal(entries[0]?.user, '42')
    assert.deepEqual(entries[0]?.conn_info, { name: 'user 42' })

    const channels = (await api('channels', {})).result.channels
    assert.deepEqual(channels['chat:api'], { num_clients: 1 })

    const unsubscribed = once<{ channel: string }>(client, 'unsubscribed')
    await api('unsubscribe', { user: '42', channel: 'chat:api' })
    assert.equal((await unsubscribed).channel, 'chat:api')

    const disconnected = once<{ code: number }>(client, 'disconnected')
    await api('disconnect', { user: '42' })
    assert.equal((await disconnected).code, 3503)
  } finally {
    client.disconnect()
  }
})

test('disconnect targets only the named user', async () => {
  const target = await connect('7')
  const bystander = await connect('8')
  try {
    let bystanderDisconnected = false
    bystander.on('disconnected', () => (bystanderDisconnected = true))
    const disconnected = once<{ code: number; reason: string }>(target, 'disconnected')
    await api('disconnect', { user: '7', disconnect: { code: 4501, reason: 'banned' } })
    const ctx = await disconnected
    assert.equal(ctx.code, 4501)
    assert.equal(ctx.reason, 'banned')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(bystanderDisconnected, false)
    assert.equal(bystander.state, 'connected')
  } finally {
    target.disconnect()
    bystander.disconnect()
  }
})

test('disconnect keeps the whitelisted connections of the user', async () => {
  const kept = await connectWithId('9')
  const dropped = await connectWithId('9')
  try {
    const disconnected = once<{ code: number }>(dropped.client, 'disconnected')
    await api('disconnect', { user: '9', whitelist: [kept.clientId] })
    assert.equal((await disconnected).code, 3503)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(kept.client.state, 'connected')
  } finally {
    kept.client.disconnect()
    dropped.client.disconnect()
  }
})
