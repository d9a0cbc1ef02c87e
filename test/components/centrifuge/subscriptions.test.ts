import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Centrifuge } from 'centrifuge'
import { client, collect, connectionToken, next, sleep, startServer, subscriptionToken, until, type Server } from './harness.js'
import { RawClient } from './raw-client.js'

function dropSocket(c: Centrifuge): void {
  ;(c as unknown as { _transport: { _transport: { terminate(): void } } })._transport._transport.terminate()
}

describe('native protocol: subscription lifecycle', () => {
  let server: Server
  before(async () => {
    server = await startServer({ options: { expiredCloseDelayMs: 1000 }, maxBufferedBytes: 256 * 1024 })
  })
  after(async () => {
    await server.close()
  })

  it('refreshes a subscription token before it expires (sub_refresh) and stays subscribed', async () => {
    const c = client(server.url, { token: await connectionToken('subref') })
    let calls = 0
    const sub = c.newSubscription('vip:refresh', {
      token: await subscriptionToken('subref', 'vip:refresh', {}, 2),
      getToken: async () => {
        calls++
        return subscriptionToken('subref', 'vip:refresh', {}, 2)
      },
    })
    const unsubscribed = collect(sub, 'unsubscribed')
    const subscribing = collect(sub, 'subscribing')
    try {
      sub.subscribe()
      c.connect()
      await next(sub, 'subscribed')
      // Tokens live 1–2 s, so two refreshes need the server to have accepted the first one.
      await until(() => calls >= 2, 5000, 'second token refresh')
      await sleep(200)
      assert.equal(unsubscribed.length, 0)
      assert.equal(subscribing.length, 1, 'never resubscribed')
      assert.equal(sub.state, 'subscribed')
    } finally {
      c.disconnect()
    }
  })

  it('an unrefreshed subscription gets unsubscribe 2501, resubscribes, is told 109 and fetches a new token', async () => {
    const c = client(server.url, { token: await connectionToken('subexp') })
    let calls = 0
    const sub = c.newSubscription('vip:expiry', {
      token: await subscriptionToken('subexp', 'vip:expiry', {}, 2),
      getToken: () => {
        calls++
        // The scheduled refresh never completes; the resubscribe after 2501 gets a fresh token.
        if (calls === 1) return new Promise<string>(() => {})
        return subscriptionToken('subexp', 'vip:expiry', {}, 3600)
      },
    })
    const subscribing = collect(sub, 'subscribing')
    const subscribed = collect(sub, 'subscribed')
    try {
      sub.subscribe()
      c.connect()
      await until(() => subscribed.length === 1, 3000, 'first subscribe')
      await until(() => subscribed.length === 2, 6000, 'subscribed again after expiry')
      assert.ok(subscribing.some((ctx) => ctx.code === 2501), 'unsubscribe push 2501')
      assert.equal(calls, 2)
      assert.equal(c.state, 'connected')
    } finally {
      c.disconnect()
    }
  })

  it('server-side subscriptions recover through connect subs after a reconnect', async () => {
    const c = client(server.url, { token: await connectionToken('srv-rec'), minReconnectDelay: 300, maxReconnectDelay: 400 })
    const offsets: number[] = []
    c.on('publication', (ctx) => {
      if (ctx.channel === '#srv-rec') offsets.push(ctx.offset ?? -1)
    })
    const subscribed = collect(c, 'subscribed')
    try {
      c.connect()
      await until(() => subscribed.length === 1, 3000, 'personal channel')
      await server.hub.publish('#srv-rec', { data: '{"n":1}' })
      await until(() => offsets.length === 1, 2000, 'live direct message')
      const reconnected = next(c, 'connected', 4000)
      dropSocket(c)
      await server.hub.publish('#srv-rec', { data: '{"n":2}' })
      await server.hub.publish('#srv-rec', { data: '{"n":3}' })
      await reconnected
      await until(() => offsets.length === 3, 3000, 'recovered direct messages')
      const again = subscribed.filter((ctx) => ctx.channel === '#srv-rec')[1]
      assert.equal(again.wasRecovering, true)
      assert.equal(again.recovered, true)
      assert.deepEqual(offsets, [1, 2, 3])
    } finally {
      c.disconnect()
    }
  })

  it('a client that stops reading is closed with 3008 (slow)', async () => {
    const raw = await RawClient.open(server.url)
    try {
      await raw.connect()
      raw.send('{"subscribe":{"channel":"chat:slow"},"id":2}')
      await raw.reply(2)
      const socket = (raw.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
      socket.pause()
      const payload = JSON.stringify({ text: 'x'.repeat(32_000) })
      for (let i = 0; i < 200; i++) await server.hub.publish('chat:slow', { data: payload })
      await sleep(100)
      socket.resume()
      const closed = await raw.closed
      assert.equal(closed.code, 3008)
    } finally {
      raw.close()
    }
  })
})
