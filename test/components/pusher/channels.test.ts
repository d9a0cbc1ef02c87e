import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import PusherServer from 'pusher'
import { PusherCode } from '../../../src/protocol/pusher/index.js'
import {
  app1,
  app2,
  authEndpoint,
  collectEvents,
  connected,
  nextEvent,
  pusherClient,
  restPost,
  sdk,
  sleep,
  startPusherServer,
  until,
  type AuthEndpoint,
  type Pusher,
  type PusherTestServer,
} from './harness.js'

describe('Pusher channels with pusher-js and the pusher SDK', () => {
  let server: PusherTestServer
  let auth: AuthEndpoint
  let wrongAuth: AuthEndpoint
  let auth2: AuthEndpoint
  const clients: Pusher[] = []
  const users = new Map<string, string>()

  before(async () => {
    server = await startPusherServer()
    // The user of a presence subscription is chosen by the test through the channel name's suffix map.
    auth = await authEndpoint(sdk(server.port), (channel) => {
      const user = users.get(channel) ?? 'alice'
      return { user_id: user, user_info: { name: user.toUpperCase() } }
    })
    wrongAuth = await authEndpoint(new PusherServer({ appId: app1.id, key: app1.key, secret: 'not-the-secret', host: '127.0.0.1', port: String(server.port), useTLS: false }))
    auth2 = await authEndpoint(sdk(server.port, app2))
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    await auth.close()
    await wrongAuth.close()
    await auth2.close()
    await server.close()
  })

  async function client(options: Parameters<typeof pusherClient>[1] = {}): Promise<Pusher> {
    const c = pusherClient(server.port, { authEndpoint: auth.url, ...options })
    clients.push(c)
    await connected(c)
    return c
  }

  async function subscribed(c: Pusher, name: string): Promise<any> {
    const channel = c.subscribe(name)
    await nextEvent(channel, 'pusher:subscription_succeeded')
    return channel
  }

  it('delivers a REST event to public channel subscribers, data as published', async () => {
    const a = await client()
    const channel = await subscribed(a, 'news')
    const got = nextEvent(channel, 'headline')
    await sdk(server.port).trigger('news', 'headline', { title: 'hi' })
    assert.deepEqual((await got).data, { title: 'hi' })
    const plain = nextEvent(channel, 'text')
    await restPost(sdk(server.port), '/events', { name: 'text', data: 'not json', channels: ['news'] })
    assert.equal((await plain).data, 'not json')
  })

  it('excludes the socket_id given to trigger, and reaches several channels at once', async () => {
    const a = await client()
    const b = await client()
    const aNews = await subscribed(a, 'multi-a')
    const bNews = await subscribed(b, 'multi-a')
    const bOther = await subscribed(b, 'multi-b')
    const aGot = collectEvents(aNews, 'e')
    const bGot = collectEvents(bNews, 'e')
    const bOtherGot = collectEvents(bOther, 'e')
    await sdk(server.port).trigger(['multi-a', 'multi-b'], 'e', { n: 1 }, { socket_id: a.connection.socket_id })
    await until(() => bGot.length === 1 && bOtherGot.length === 1)
    await sleep(100)
    assert.equal(aGot.length, 0)
  })

  it('subscribes to a private channel through a real auth endpoint', async () => {
    const a = await client()
    const channel = await subscribed(a, 'private-orders')
    const got = nextEvent(channel, 'shipped')
    await sdk(server.port).trigger('private-orders', 'shipped', { id: 7 })
    assert.deepEqual((await got).data, { id: 7 })
  })

  it('answers a bad signature with pusher:subscription_error status 401, keeping the connection', async () => {
    const a = await client({ authEndpoint: wrongAuth.url })
    const channel = a.subscribe('private-secret')
    const { data } = await nextEvent(channel, 'pusher:subscription_error')
    assert.equal(data.status, 401)
    assert.equal(a.connection.state, 'connected')
  })

  it('refuses invalid channel names with status 400', async () => {
    const a = await client()
    assert.equal((await nextEvent(a.subscribe('bad name!'), 'pusher:subscription_error')).data.status, 400)
    assert.equal((await nextEvent(a.subscribe('x'.repeat(165)), 'pusher:subscription_error')).data.status, 400)
  })

  for (const name of ['cache-prices', 'private-cache-prices', 'presence-cache-prices']) {
    it(`${name}: pusher:cache_miss first, then the last event replayed on subscribe`, async () => {
      const first = await client()
      const channel = first.subscribe(name)
      await nextEvent(channel, 'pusher:cache_miss')
      await sdk(server.port).trigger(name, 'price', { v: 1 })
      await sdk(server.port).trigger(name, 'price', { v: 2 })
      const second = await client()
      const late = second.subscribe(name)
      const misses = collectEvents(late, 'pusher:cache_miss')
      assert.deepEqual((await nextEvent(late, 'price')).data, { v: 2 })
      await sleep(50)
      assert.equal(misses.length, 0)
    })
  }

  it('presence: roster includes the subscriber; member_added and member_removed once per user, not per tab', async () => {
    users.set('presence-room', 'alice')
    const alice1 = await client()
    const room1 = await subscribed(alice1, 'presence-room')
    assert.equal(room1.members.count, 1)
    assert.equal(room1.members.me.id, 'alice')

    const bob = pusherClient(server.port, { authEndpoint: auth.url })
    clients.push(bob)
    await connected(bob)
    const added = collectEvents(room1, 'pusher:member_added')
    const removed = collectEvents(room1, 'pusher:member_removed')
    users.set('presence-room', 'bob')
    const bobRoom = await subscribed(bob, 'presence-room')
    assert.equal(bobRoom.members.count, 2)
    assert.deepEqual(bobRoom.members.get('alice').info, { name: 'ALICE' })
    await until(() => added.length === 1)
    assert.equal(added[0].id, 'bob')
    assert.deepEqual(added[0].info, { name: 'BOB' })

    // A second tab of bob: no second member_added, the count stays 2.
    const bobAdded = collectEvents(bobRoom, 'pusher:member_added')
    const bob2 = await client()
    const bobRoom2 = await subscribed(bob2, 'presence-room')
    assert.equal(bobRoom2.members.count, 2)
    await sleep(150)
    assert.equal(added.length, 1)
    assert.equal(bobAdded.length, 0, 'a user never sees its own member_added')

    // One of bob's tabs leaves: nothing; the last leaves: one member_removed.
    bob2.unsubscribe('presence-room')
    await sleep(150)
    assert.equal(removed.length, 0)
    bob.unsubscribe('presence-room')
    await until(() => removed.length === 1)
    assert.equal(removed[0].id, 'bob')
    assert.equal(room1.members.count, 1)
  })

  it('presence: REST users and channel info see the members', async () => {
    users.set('presence-info', 'carol')
    const c = await client()
    await subscribed(c, 'presence-info')
    const rest = sdk(server.port)
    assert.deepEqual(await (await rest.get({ path: '/channels/presence-info/users' })).json(), { users: [{ id: 'carol' }] })
    assert.deepEqual(await (await rest.get({ path: '/channels/presence-info', params: { info: 'user_count,subscription_count' } })).json(), {
      occupied: true,
      subscription_count: 1,
      user_count: 1,
    })
  })

  it('client events reach the other subscribers, never the sender, with user_id on presence channels', async () => {
    users.set('presence-chat', 'dave')
    const a = await client()
    const b = await client()
    const aPriv = await subscribed(a, 'private-chat')
    const bPriv = await subscribed(b, 'private-chat')
    const aGot = collectEvents(aPriv, 'client-typing')
    const got = nextEvent(bPriv, 'client-typing')
    aPriv.trigger('client-typing', { who: 'a' })
    assert.deepEqual((await got).data, { who: 'a' })
    await sleep(100)
    assert.equal(aGot.length, 0)

    const aRoom = await subscribed(a, 'presence-chat')
    users.set('presence-chat', 'erin')
    const bRoom = await subscribed(b, 'presence-chat')
    const fromDave = nextEvent(bRoom, 'client-hello')
    aRoom.trigger('client-hello', { hi: 1 })
    const { data, metadata } = await fromDave
    assert.deepEqual(data, { hi: 1 })
    assert.equal(metadata.user_id, 'dave')
  })

  it('refuses client events on public channels and without a subscription (4301)', async () => {
    const a = await client()
    await subscribed(a, 'public-room')
    const errors = collectEvents(a.connection, 'error')
    a.send_event('client-x', { n: 1 }, 'public-room')
    a.send_event('client-x', { n: 1 }, 'private-not-subscribed')
    await until(() => errors.length === 2)
    for (const error of errors) assert.equal(error.data.code, PusherCode.clientEventRejected)
    assert.equal(a.connection.state, 'connected')
  })

  it('rate-limits client events per connection (4301) and refuses them where the app disables them', async () => {
    const a = await client()
    const b = await client()
    const aPriv = await subscribed(a, 'private-flood')
    const bPriv = await subscribed(b, 'private-flood')
    const received = collectEvents(bPriv, 'client-n')
    const errors = collectEvents(a.connection, 'error')
    for (let i = 0; i < 15; i++) aPriv.trigger('client-n', { i })
    await until(() => errors.length >= 5 && received.length >= 10)
    await sleep(100)
    assert.equal(received.length, 10)
    assert.ok(errors.every((error) => error.data.code === PusherCode.clientEventRejected))

    const other = pusherClient(server.port, { key: app2.key, authEndpoint: auth2.url })
    clients.push(other)
    await connected(other)
    const channel = await subscribed(other, 'private-x')
    const refused = nextEvent(other.connection, 'error')
    channel.trigger('client-x', {})
    assert.equal((await refused).data.data.code, PusherCode.clientEventRejected)
  })

  it('keeps apps apart: an event of one app never reaches the same channel name of another', async () => {
    const a = await client()
    const other = pusherClient(server.port, { key: app2.key })
    clients.push(other)
    await connected(other)
    const mine = await subscribed(a, 'shared-name')
    const theirs = await subscribed(other, 'shared-name')
    const theirGot = collectEvents(theirs, 'only-app-1')
    const got = nextEvent(mine, 'only-app-1')
    await sdk(server.port).trigger('shared-name', 'only-app-1', {})
    await got
    await sleep(100)
    assert.equal(theirGot.length, 0)
    const listed = await (await sdk(server.port, app2).get({ path: '/channels' })).json()
    assert.ok('shared-name' in listed.channels)
  })
})
