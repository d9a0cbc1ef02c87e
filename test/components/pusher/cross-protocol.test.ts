import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Centrifuge } from 'centrifuge'
import WebSocket from 'ws'
import { apiKey, connected, nextEvent, pusherClient, sdk, startPusherServer, type Pusher, type PusherTestServer } from './harness.js'

describe('one channel, both protocols (docs/pusher.md, "Channel mapping")', () => {
  let server: PusherTestServer
  let pusher: Pusher
  let centrifuge: Centrifuge

  before(async () => {
    server = await startPusherServer()
    pusher = pusherClient(server.port)
    await connected(pusher)
    centrifuge = new Centrifuge(`ws://127.0.0.1:${server.port}/connection/websocket`, { websocket: WebSocket })
    centrifuge.connect()
  })
  after(async () => {
    pusher.disconnect()
    centrifuge.disconnect()
    await server.close()
  })

  it('a Pusher REST event reaches centrifuge-js subscribers of <namespace>:<channel>, with the event name as tag', async () => {
    const sub = centrifuge.newSubscription('pusher-app-1:cross')
    sub.subscribe()
    await new Promise((resolve) => sub.once('subscribed', resolve))
    const got = new Promise<any>((resolve) => sub.once('publication', resolve))
    await sdk(server.port).trigger('cross', 'order.shipped', { id: 9 })
    const publication = await got
    assert.deepEqual(publication.data, { id: 9 })
    assert.deepEqual(publication.tags, { event: 'order.shipped' })
    sub.unsubscribe()
  })

  it('a native /api/publish reaches pusher-js subscribers: the event tag names the event, "message" without one', async () => {
    const channel = pusher.subscribe('cross-back')
    await nextEvent(channel, 'pusher:subscription_succeeded')
    const publish = (body: object) =>
      fetch(`http://127.0.0.1:${server.port}/api/publish`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const named = nextEvent(channel, 'greeting')
    assert.equal((await publish({ channel: 'pusher-app-1:cross-back', data: { hello: 'pusher' }, tags: { event: 'greeting' } })).status, 200)
    assert.deepEqual((await named).data, { hello: 'pusher' })
    const unnamed = nextEvent(channel, 'message')
    await publish({ channel: 'pusher-app-1:cross-back', data: [1, 2] })
    assert.deepEqual((await unnamed).data, [1, 2])
  })

  it("a native client cannot subscribe to an app's private channel without a token", async () => {
    const sub = centrifuge.newSubscription('$pusher-app-1:private-orders')
    const refused = new Promise<any>((resolve) => {
      sub.once('error', (ctx) => resolve(ctx.error))
      sub.once('unsubscribed', resolve)
    })
    sub.subscribe()
    const outcome = await Promise.race([refused, new Promise((_, reject) => setTimeout(() => reject(new Error('neither refused nor unsubscribed')), 3000))])
    assert.equal((outcome as { code: number }).code, 103)
    assert.notEqual(sub.state, 'subscribed')
    sub.removeAllListeners()
    centrifuge.removeSubscription(sub)
  })
})
