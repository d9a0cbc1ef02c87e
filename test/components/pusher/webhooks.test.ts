import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, afterEach, before, describe, it } from 'node:test'
import { authEndpoint, connected, nextEvent, pusherClient, sdk, sleep, startPusherServer, until, type AuthEndpoint, type Pusher, type PusherTestServer } from './harness.js'

type Received = { valid: boolean; events: Array<Record<string, unknown>> }

/** A webhook receiver that validates every request with the real SDK, and fails the first `failures` requests with 500. */
async function receiver(failures = 0): Promise<{ url: string; got: Received[]; attempts: () => number; close(): Promise<void> }> {
  const got: Received[] = []
  let attempts = 0
  const validator = sdk(1, hooked)
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      attempts++
      if (attempts <= failures) {
        res.writeHead(500).end()
        return
      }
      const webhook = validator.webhook({ headers: req.headers, rawBody: body })
      got.push({ valid: webhook.isValid(), events: webhook.isValid() ? (webhook.getEvents() as unknown as Array<Record<string, unknown>>) : [] })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pusher/webhook`,
    got,
    attempts: () => attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const hooked = { id: 'hooked', key: 'hooked-key', secret: 'hooked-secret', enableClientMessages: true } as const

function eventsOf(got: Received[]): Array<Record<string, unknown>> {
  return got.flatMap((request) => request.events)
}

describe('Pusher webhooks', () => {
  let hook: Awaited<ReturnType<typeof receiver>>
  let server: PusherTestServer
  let auth: AuthEndpoint
  const clients: Pusher[] = []

  before(async () => {
    hook = await receiver()
    server = await startPusherServer({
      apps: [{ ...hooked, webhooks: [{ url: hook.url }] }],
      webhookDelivery: { batchMs: 50, debounceMs: 300, retryForMs: 2000 },
    })
    auth = await authEndpoint(sdk(server.port, hooked), () => ({ user_id: 'wes', user_info: {} }))
  })
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect()
  })
  after(async () => {
    await auth.close()
    await server.close()
    await hook.close()
  })

  async function client(): Promise<Pusher> {
    const c = pusherClient(server.port, { key: hooked.key, authEndpoint: auth.url })
    clients.push(c)
    await connected(c)
    return c
  }

  it('sends signed, batched channel_occupied, member_added, client_event, cache_miss, then member_removed and channel_vacated', async () => {
    const a = await client()
    const b = await client()
    const room = a.subscribe('presence-hooks')
    await nextEvent(room, 'pusher:subscription_succeeded')
    const bRoom = b.subscribe('presence-hooks')
    await nextEvent(bRoom, 'pusher:subscription_succeeded')
    room.trigger('client-wave', { hi: true })
    await nextEvent(a.subscribe('cache-hooks'), 'pusher:cache_miss')
    await until(() => eventsOf(hook.got).length >= 4, 3000, 'first events')
    assert.ok(hook.got.every((request) => request.valid), 'every request validates with the SDK')
    const events = eventsOf(hook.got)
    assert.deepEqual(events.filter((e) => e.channel === 'presence-hooks').map((e) => e.name), ['channel_occupied', 'member_added', 'client_event'])
    const clientEvent = events.find((e) => e.name === 'client_event')
    assert.equal(clientEvent?.event, 'client-wave')
    assert.equal(clientEvent?.user_id, 'wes')
    assert.equal(clientEvent?.socket_id, a.connection.socket_id)
    assert.deepEqual(JSON.parse(String(clientEvent?.data)), { hi: true })
    assert.ok(events.some((e) => e.name === 'cache_miss' && e.channel === 'cache-hooks'))
    assert.ok(hook.got.length < events.length, 'several events per request')

    a.disconnect()
    b.disconnect()
    await until(() => eventsOf(hook.got).some((e) => e.name === 'channel_vacated' && e.channel === 'presence-hooks'), 3000, 'vacated')
    // The member's leave waits out the hub's leave debounce (channels.leaveDebounceMs) first.
    await until(() => eventsOf(hook.got).some((e) => e.name === 'member_removed' && e.user_id === 'wes'), 3000, 'member_removed')
  })

  it('a reload within debounceMs reports neither vacated nor a second occupied', async () => {
    const a = await client()
    await nextEvent(a.subscribe('reload'), 'pusher:subscription_succeeded')
    await until(() => eventsOf(hook.got).some((e) => e.name === 'channel_occupied' && e.channel === 'reload'))
    a.disconnect()
    const again = await client()
    await nextEvent(again.subscribe('reload'), 'pusher:subscription_succeeded')
    await sleep(600)
    assert.deepEqual(eventsOf(hook.got).filter((e) => e.channel === 'reload').map((e) => e.name), ['channel_occupied'])
  })
})

describe('Pusher webhook retries', () => {
  it('retries a failing receiver with backoff until it accepts, and gives up after retryForMs (counted)', async () => {
    const flaky = await receiver(2)
    const dead = await receiver(1_000_000)
    const server = await startPusherServer({
      apps: [{ ...hooked, webhooks: [{ url: flaky.url }, { url: dead.url, events: ['channel_occupied'] }] }],
      webhookDelivery: { batchMs: 20, debounceMs: 0, retryForMs: 600 },
    })
    const c = pusherClient(server.port, { key: hooked.key })
    try {
      await connected(c)
      await nextEvent(c.subscribe('retried'), 'pusher:subscription_succeeded')
      await until(() => flaky.got.length === 1, 3000, 'delivered after retries')
      assert.equal(flaky.attempts(), 3)
      assert.deepEqual(eventsOf(flaky.got).map((e) => e.name), ['channel_occupied'])
      await until(() => server.webhookCounts.failed === 1, 3000, 'given up')
      assert.ok(dead.attempts() >= 3, `retried before giving up (${dead.attempts()})`)
      assert.equal(server.webhookCounts.delivered, 1)
    } finally {
      c.disconnect()
      await server.close()
      await flaky.close()
      await dead.close()
    }
  })
})
