import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { client, collect, next, sleep, startServer, type Server } from './harness.js'

describe('native protocol: connect, subscribe, publish', () => {
  let server: Server
  before(async () => {
    server = await startServer()
  })
  after(async () => {
    await server.close()
  })

  it('connects anonymously, subscribes, publishes and receives', async () => {
    const c = client(server.url)
    try {
      const connected = next(c, 'connected')
      c.connect()
      const ctx = await connected
      assert.equal(typeof ctx.client, 'string')
      assert.ok(ctx.client.length > 0)
      const sub = c.newSubscription('chat:index')
      const subscribed = next(sub, 'subscribed')
      sub.subscribe()
      const s = await subscribed
      assert.equal(s.recoverable, true)
      const publication = next(sub, 'publication')
      await sub.publish({ text: 'hello' })
      const pub = await publication
      assert.deepEqual(pub.data, { text: 'hello' })
      assert.equal(pub.offset, 1)
      assert.equal(pub.info.client, ctx.client)
    } finally {
      c.disconnect()
    }
  })

  it('pings often enough for the client watchdog (ping 1 s, client tolerance 1 s)', async () => {
    const fast = await startServer({ options: { pingIntervalMs: 1000 } })
    const c = client(fast.url, { maxServerPingDelay: 1000 })
    const connecting = collect(c, 'connecting')
    try {
      const connected = next(c, 'connected')
      c.connect()
      await connected
      await sleep(3500)
      assert.equal(c.state, 'connected')
      assert.equal(connecting.length, 1, 'never reconnected for lack of pings')
    } finally {
      c.disconnect()
      await fast.close()
    }
  })
})
