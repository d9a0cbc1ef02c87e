import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { client, collect, connectionToken, next, sleep, startServer, until, type Server } from './harness.js'

describe('native protocol: connect and tokens', () => {
  let server: Server
  before(async () => {
    server = await startServer({ options: { expiredCloseDelayMs: 1000 } })
  })
  after(async () => {
    await server.close()
  })

  it('connects with a token as its user, with info, personal channel subscribed server-side', async () => {
    const token = await connectionToken('alice', { info: { name: 'Alice' } })
    const c = client(server.url, { token })
    const serverSubs = collect(c, 'subscribed')
    try {
      c.connect()
      await next(c, 'connected')
      await until(() => serverSubs.length > 0, 2000, 'server-side subscribed event')
      assert.deepEqual(
        serverSubs.map((s) => s.channel),
        ['#alice'],
      )
      const sub = c.newSubscription('chat:info')
      sub.subscribe()
      await next(sub, 'subscribed')
      const presence = await sub.presence()
      const entries = Object.values(presence.clients) as Array<{ user: string; connInfo: unknown }>
      assert.equal(entries.length, 1)
      assert.equal(entries[0]?.user, 'alice')
      assert.deepEqual(entries[0]?.connInfo, { name: 'Alice' })
    } finally {
      c.disconnect()
    }
  })

  it('token channels and subs become server-side subscriptions with their data', async () => {
    const token = await connectionToken('bob', { subs: { 'news:bob': { data: { why: 'token' } } } })
    const c = client(server.url, { token })
    const serverSubs = collect(c, 'subscribed')
    const publications = collect(c, 'publication')
    try {
      c.connect()
      await next(c, 'connected')
      await until(() => serverSubs.length === 2, 2000, 'two server-side subs')
      const news = serverSubs.find((s) => s.channel === 'news:bob')
      assert.deepEqual(news?.data, { why: 'token' })
      assert.equal(news?.recoverable, true)
      await server.hub.publish('news:bob', { data: '{"n":1}' })
      await until(() => publications.length === 1, 2000, 'server-side publication')
      assert.equal(publications[0].channel, 'news:bob')
      assert.deepEqual(publications[0].data, { n: 1 })
    } finally {
      c.disconnect()
    }
  })

  it('a bad token disconnects the client for good with 3500', async () => {
    const c = client(server.url, { token: 'not-a-jwt' })
    try {
      const disconnected = next(c, 'disconnected')
      c.connect()
      const ctx = await disconnected
      assert.equal(ctx.code, 3500)
      assert.equal(c.state, 'disconnected')
    } finally {
      c.disconnect()
    }
  })

  it('an expired token gets 109: the client calls getToken and connects', async () => {
    const expired = await connectionToken('carol', {}, -10)
    let calls = 0
    const c = client(server.url, {
      token: expired,
      getToken: async () => {
        calls++
        return connectionToken('carol', {}, 3600)
      },
    })
    try {
      c.connect()
      await next(c, 'connected')
      assert.equal(calls, 1)
    } finally {
      c.disconnect()
    }
  })

  it('refreshes the connection token before it expires and stays connected', async () => {
    let calls = 0
    const c = client(server.url, {
      token: await connectionToken('dave', {}, 2),
      getToken: async () => {
        calls++
        return connectionToken('dave', {}, 2)
      },
    })
    const disconnects = collect(c, 'disconnected')
    const connects = collect(c, 'connected')
    try {
      c.connect()
      await next(c, 'connected')
      // Tokens live 1–2 s, so two refreshes need the server to have accepted the first one.
      await until(() => calls >= 2, 5000, 'second token refresh')
      await sleep(200)
      assert.equal(disconnects.length, 0)
      assert.equal(connects.length, 1)
      assert.equal(c.state, 'connected')
    } finally {
      c.disconnect()
    }
  })

  it('a connection whose token expires without refresh is closed with 3005, then reconnects with a new token', async () => {
    let calls = 0
    const c = client(server.url, {
      token: await connectionToken('erin', {}, 2),
      // The first refresh never resolves: the server must enforce expiry itself.
      getToken: () => {
        calls++
        if (calls === 1) return new Promise<string>(() => {})
        return connectionToken('erin', {}, 3600)
      },
    })
    const connecting = collect(c, 'connecting')
    try {
      c.connect()
      await next(c, 'connected')
      await until(() => connecting.some((ctx) => ctx.code === 3005), 6000, 'close 3005')
      await next(c, 'connected', 4000)
    } finally {
      c.disconnect()
    }
  })

  it('anonymous connections are refused when not allowed', async () => {
    const strict = await startServer({ options: { allowAnonymous: false } })
    const c = client(strict.url)
    try {
      const disconnected = next(c, 'disconnected')
      c.connect()
      assert.equal((await disconnected).code, 3501)
    } finally {
      c.disconnect()
      await strict.close()
    }
  })
})
