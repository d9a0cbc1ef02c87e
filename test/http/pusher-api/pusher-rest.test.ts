import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import PusherServer from 'pusher'
import { PusherCode } from '../../../src/protocol/pusher/index.js'
import { app1, app2, authEndpoint, collectEvents, connected, nextEvent, pusherClient, restPost, sdk, sleep, startPusherServer, until, type AuthEndpoint, type Pusher, type PusherTestServer } from '../../components/pusher/harness.js'

/** Signs a request by hand (independently of src/), to send what the SDK never would: a stale timestamp, a wrong body_md5. */
function signedUrl(port: number, method: string, path: string, body: string | undefined, options: { timestamp?: number; bodyMd5?: string; key?: string; secret?: string; params?: Record<string, string> } = {}): string {
  const params: Record<string, string> = {
    auth_key: options.key ?? app1.key,
    auth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...(options.params ?? {}),
  }
  if (body !== undefined) params.body_md5 = options.bodyMd5 ?? createHash('md5').update(body).digest('hex')
  const query = Object.keys(params).sort().map((key) => `${key}=${params[key]}`).join('&')
  const signature = createHmac('sha256', options.secret ?? app1.secret).update(`${method}\n${path}\n${query}`).digest('hex')
  const search = new URLSearchParams({ ...params, auth_signature: signature })
  return `http://127.0.0.1:${port}${path}?${search}`
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise
    return 200
  } catch (error) {
    return (error as { status: number }).status
  }
}

describe('Pusher REST API with the pusher SDK', () => {
  let server: PusherTestServer
  let auth: AuthEndpoint
  const clients: Pusher[] = []

  before(async () => {
    server = await startPusherServer({ apps: [app1, app2, { id: 'off', key: 'key-off', secret: 'secret-off', enabled: false }], maxBodyBytes: 50_000 })
    auth = await authEndpoint(sdk(server.port), () => ({ user_id: 'zoe', user_info: {} }))
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    await auth.close()
    await server.close()
  })

  async function client(): Promise<Pusher> {
    const c = pusherClient(server.port, { authEndpoint: auth.url })
    clients.push(c)
    await connected(c)
    return c
  }

  it('refuses a wrong secret with 401 and a wrong app id with 404', async () => {
    const wrong = new PusherServer({ appId: app1.id, key: app1.key, secret: 'wrong', host: '127.0.0.1', port: String(server.port), useTLS: false })
    assert.equal(await status(wrong.trigger('news', 'x', {})), 401)
    assert.equal(await status(wrong.get({ path: '/channels' })), 401)
    const unknown = new PusherServer({ appId: 'nope', key: app1.key, secret: app1.secret, host: '127.0.0.1', port: String(server.port), useTLS: false })
    assert.equal(await status(unknown.trigger('news', 'x', {})), 404)
    const otherKey = new PusherServer({ appId: app1.id, key: app2.key, secret: app2.secret, host: '127.0.0.1', port: String(server.port), useTLS: false })
    assert.equal(await status(otherKey.trigger('news', 'x', {})), 401)
  })

  it('refuses a stale or future timestamp, a wrong body_md5 and a missing signature with 401', async () => {
    const body = JSON.stringify({ name: 'x', data: '{}', channels: ['news'] })
    const post = (url: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    // Each timestamp is taken right before its request, with margins of 30 s either side of the
    // 600 s window so a loaded machine cannot move a request across it.
    const now = () => Math.floor(Date.now() / 1000)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body))).status, 200)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body, { timestamp: now() - 570 }))).status, 200)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body, { timestamp: now() + 570 }))).status, 200)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body, { timestamp: now() - 630 }))).status, 401)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body, { timestamp: now() + 630 }))).status, 401)
    assert.equal((await post(signedUrl(server.port, 'POST', '/apps/app-1/events', body, { bodyMd5: 'a'.repeat(32) }))).status, 401)
    assert.equal((await post(`http://127.0.0.1:${server.port}/apps/app-1/events`)).status, 401)
  })

  it('answers a disabled app with 403, an unknown route with 404, a wrong method with 405', async () => {
    const off = new PusherServer({ appId: 'off', key: 'key-off', secret: 'secret-off', host: '127.0.0.1', port: String(server.port), useTLS: false })
    assert.equal(await status(off.trigger('news', 'x', {})), 403)
    assert.equal((await fetch(signedUrl(server.port, 'GET', '/apps/app-1/nothing', undefined))).status, 404)
    assert.equal((await fetch(signedUrl(server.port, 'GET', '/apps/app-1/events', undefined))).status, 405)
  })

  it('applies the limits: data over 10 KB → 413, over 100 channels → 400, bad names → 400, body over maxBodyBytes → 413', async () => {
    const rest = sdk(server.port)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: 'y'.repeat(10_241), channels: ['news'] })), 413)
    const many = Array.from({ length: 101 }, (_, i) => `c${i}`)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: '{}', channels: many })), 400)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: '{}', channels: ['bad name'] })), 400)
    assert.equal(await status(restPost(rest, '/events', { name: 'x'.repeat(201), data: '{}', channels: ['news'] })), 400)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: { not: 'a string' }, channels: ['news'] })), 400)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: '{}', channels: ['news'], socket_id: 'abc' })), 400)
    assert.equal(await status(restPost(rest, '/events', { name: 'x', data: '{}', channels: ['news'], pad: 'p'.repeat(60_000) })), 413)
    const eleven = Array.from({ length: 11 }, () => ({ channel: 'news', name: 'x', data: '{}' }))
    assert.equal(await status(rest.triggerBatch(eleven)), 400)
    // Still serving.
    assert.equal(await status(rest.trigger('news', 'x', {})), 200)
  })

  it('triggerBatch delivers each event to its channel', async () => {
    const a = await client()
    const one = a.subscribe('batch-1')
    const two = a.subscribe('batch-2')
    await Promise.all([nextEvent(one, 'pusher:subscription_succeeded'), nextEvent(two, 'pusher:subscription_succeeded')])
    const got1 = nextEvent(one, 'b')
    const got2 = nextEvent(two, 'b')
    const response = await sdk(server.port).triggerBatch([
      { channel: 'batch-1', name: 'b', data: { n: 1 } },
      { channel: 'batch-2', name: 'b', data: { n: 2 } },
    ])
    assert.deepEqual(await response.json(), {})
    assert.deepEqual((await got1).data, { n: 1 })
    assert.deepEqual((await got2).data, { n: 2 })
  })

  it('answers trigger info with subscription_count and user_count', async () => {
    const a = await client()
    await nextEvent(a.subscribe('presence-counted'), 'pusher:subscription_succeeded')
    const response = await sdk(server.port).trigger(['presence-counted'], 'x', {}, { info: 'subscription_count,user_count' })
    assert.deepEqual(await response.json(), { channels: { 'presence-counted': { subscription_count: 1, user_count: 1 } } })
  })

  it('lists occupied channels, by prefix, with user_count for presence ones', async () => {
    const a = await client()
    for (const name of ['list-a', 'presence-list']) await nextEvent(a.subscribe(name), 'pusher:subscription_succeeded')
    const rest = sdk(server.port)
    const all = (await (await rest.get({ path: '/channels' })).json()) as { channels: Record<string, unknown> }
    assert.ok('list-a' in all.channels && 'presence-list' in all.channels)
    const presence = await (await rest.get({ path: '/channels', params: { filter_by_prefix: 'presence-list', info: 'user_count' } })).json()
    assert.deepEqual(presence, { channels: { 'presence-list': { user_count: 1 } } })
    assert.equal(await status(rest.get({ path: '/channels', params: { info: 'user_count' } })), 400)
    assert.deepEqual(await (await rest.get({ path: '/channels/list-a' })).json(), { occupied: true })
    assert.deepEqual(await (await rest.get({ path: '/channels/never-used', params: { info: 'subscription_count' } })).json(), { occupied: false, subscription_count: 0 })
    assert.equal(await status(rest.get({ path: '/channels/list-a/users' })), 400)
    assert.equal(await status(rest.get({ path: '/channels/list-a', params: { info: 'user_count' } })), 400)
  })

  it("terminate_connections closes the user's connections with 4009, and pusher-js does not reconnect", async () => {
    const zoe = await client()
    const other = await client()
    await nextEvent(zoe.subscribe('presence-term'), 'pusher:subscription_succeeded')
    const states = collectEvents(zoe.connection, 'state_change')
    const error = nextEvent(zoe.connection, 'error')
    await restPost(sdk(server.port), '/users/zoe/terminate_connections', {})
    assert.equal((await error).data.error?.data?.code ?? (await error).data.data?.code, PusherCode.unauthorized)
    await until(() => zoe.connection.state !== 'connected')
    await sleep(500)
    assert.ok(!states.some((change) => change.current === 'connecting'), JSON.stringify(states))
    assert.equal(other.connection.state, 'connected')
  })
})
