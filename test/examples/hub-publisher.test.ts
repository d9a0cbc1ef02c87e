import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Centrifuge, type PublicationContext, type Subscription } from 'centrifuge'
import WebSocket from 'ws'
import { next } from '../components/centrifuge/harness.js'
import { startExample, TestClient, type RunningExample } from './example-process.js'

/** A centrifuge-js client on the example's native-protocol route, subscribed to `channel`. */
async function subscriber(example: RunningExample, channel: string): Promise<{ client: Centrifuge; sub: Subscription }> {
  const client = new Centrifuge(example.url.replace(/\/ticker$/, '/connection/websocket'), { websocket: WebSocket, timeout: 3000 })
  const sub = client.newSubscription(channel)
  const subscribed = next(sub, 'subscribed')
  sub.subscribe()
  client.connect()
  await subscribed
  return { client, sub }
}

describe('examples/hub-publisher (an app embedding the hub)', () => {
  let example: RunningExample
  before(async () => {
    example = await startExample('hub-publisher')
  })
  after(async () => {
    await example.stop()
  })

  test('a quote sent to /ticker reaches centrifuge-js subscribers of ticker:<symbol>', async () => {
    assert.match(example.url, /\/ticker$/)
    const { client, sub } = await subscriber(example, 'ticker:ACME')
    const feeder = await TestClient.connect(example.url)
    try {
      const publication = next<PublicationContext>(sub, 'publication')
      feeder.sendJson({ symbol: 'ACME', price: 12.5 })
      assert.deepEqual(await feeder.nextJson(), { type: 'published', channel: 'ticker:ACME', offset: 1 })
      const pub = await publication
      assert.deepEqual(pub.data, { symbol: 'ACME', price: 12.5 })
      assert.equal(pub.offset, 1)
      const history = await sub.history({ limit: 10 })
      assert.deepEqual(history.publications.map((p) => p.data), [{ symbol: 'ACME', price: 12.5 }])
    } finally {
      client.disconnect()
      await feeder.close()
    }
  })

  test('a subscriber of another symbol gets nothing; a malformed quote is answered invalid_quote', async () => {
    const { client, sub } = await subscriber(example, 'ticker:OTHER')
    const received: unknown[] = []
    sub.on('publication', (ctx) => received.push(ctx.data))
    const feeder = await TestClient.connect(example.url)
    try {
      feeder.sendJson({ symbol: 'ACME', price: 13 })
      assert.equal((await feeder.nextJson())['type'], 'published')
      for (const bad of [{ symbol: 'acme', price: 1 }, { symbol: 'ACME', price: 'high' }, 'not json']) {
        feeder.ws.send(typeof bad === 'string' ? bad : JSON.stringify(bad))
        assert.deepEqual(await feeder.nextJson(), { type: 'error', code: 'invalid_quote' })
      }
      assert.ok(await feeder.silentFor(100))
      assert.deepEqual(received, [])
    } finally {
      client.disconnect()
      await feeder.close()
    }
  })
})
