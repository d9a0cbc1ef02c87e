import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Centrifuge } from 'centrifuge'
import { ErrorReason, PeerError } from '../../../src/errors.js'
import { client, collect, connectionToken, next, sleep, startServer, subscriptionToken, until, type Server } from './harness.js'
import { RpcError } from '../../../src/components/centrifuge/index.js'

async function connected(url: string, user?: string): Promise<Centrifuge> {
  const c = client(url, user === undefined ? {} : { token: await connectionToken(user) })
  const ready = next(c, 'connected')
  c.connect()
  await ready
  return c
}

describe('native protocol: channels', () => {
  let server: Server
  const clients: Centrifuge[] = []
  const open = async (user?: string) => {
    const c = await connected(server.url, user)
    clients.push(c)
    return c
  }
  before(async () => {
    server = await startServer()
  })
  after(async () => {
    for (const c of clients) c.disconnect()
    await server.close()
  })

  it('join/leave and presence count two connections of one user as one member', async () => {
    const watcher = await open('watcher')
    const w = watcher.newSubscription('chat:room', { joinLeave: true })
    w.subscribe()
    await next(w, 'subscribed')
    const joins = collect(w, 'join')
    const leaves = collect(w, 'leave')

    const a1 = await open('amy')
    const a2 = await open('amy')
    const s1 = a1.newSubscription('chat:room')
    const s2 = a2.newSubscription('chat:room')
    s1.subscribe()
    await next(s1, 'subscribed')
    s2.subscribe()
    await next(s2, 'subscribed')
    await until(() => joins.some((j) => j.info.user === 'amy'), 2000, 'join')
    await sleep(100)
    // A subscriber sees its own join too (as with Centrifugo); amy joins once for two connections.
    assert.deepEqual(joins.map((j) => j.info.user).filter((user) => user === 'amy'), ['amy'])

    const stats = await w.presenceStats()
    assert.deepEqual(stats, { numClients: 3, numUsers: 2 })
    const presence = await w.presence()
    assert.equal(Object.keys(presence.clients).length, 3)

    s1.unsubscribe()
    await sleep(150)
    assert.equal(leaves.length, 0, 'amy still has a connection in the room')
    s2.unsubscribe()
    await until(() => leaves.length === 1, 2000, 'leave')
    assert.equal(leaves[0].info.user, 'amy')
    assert.deepEqual(await w.presenceStats(), { numClients: 1, numUsers: 1 })
  })

  it('serves history with limit, since and reverse', async () => {
    const c = await open()
    const sub = c.newSubscription('chat:hist')
    sub.subscribe()
    await next(sub, 'subscribed')
    for (let i = 1; i <= 5; i++) await sub.publish({ n: i })
    const top = await sub.history({ limit: 0 })
    assert.equal(top.publications.length, 0)
    assert.equal(top.offset, 5)
    const all = await sub.history({ limit: -1 })
    assert.deepEqual(
      all.publications.map((p) => p.data.n),
      [1, 2, 3, 4, 5],
    )
    const page = await sub.history({ limit: 2, since: { offset: 2, epoch: top.epoch } })
    assert.deepEqual(
      page.publications.map((p) => p.offset),
      [3, 4],
    )
    const newest = await sub.history({ limit: 2, reverse: true })
    assert.deepEqual(
      newest.publications.map((p) => p.offset),
      [5, 4],
    )
    await assert.rejects(sub.history({ limit: 2, since: { offset: 2, epoch: 'other-epoch' } }), (e: { code: number }) => e.code === 112)
  })

  it('rpc: registered method answers, unknown method is 104, a handler PeerError or RpcError is replied', async () => {
    server.rpc.register('math.add', (ctx, data) => {
      const { a, b } = data as { a: number; b: number }
      return { sum: a + b, user: ctx.userId }
    })
    server.rpc.register('math.fail', () => {
      throw new PeerError(ErrorReason.permissionDenied, 'nope')
    })
    server.rpc.register('math.app-error', () => {
      throw new RpcError(1400, 'quota used up')
    })
    server.rpc.register('math.bug', () => {
      throw new Error('bug')
    })
    const c = await open('rpc-user')
    const result = await c.rpc('math.add', { a: 2, b: 3 })
    assert.deepEqual(result.data, { sum: 5, user: 'rpc-user' })
    await assert.rejects(c.rpc('nope', {}), (e: { code: number }) => e.code === 104)
    await assert.rejects(c.rpc('math.fail', {}), (e: { code: number }) => e.code === 103)
    await assert.rejects(c.rpc('math.app-error', {}), (e: { code: number; message: string }) => e.code === 1400 && e.message === 'quota used up')
    await assert.rejects(c.rpc('math.bug', {}), (e: { code: number }) => e.code === 100)
    assert.equal(c.state, 'connected')
  })

  it('send reaches the send handler', async () => {
    const got: unknown[] = []
    server.rpc.onSend((ctx, data) => {
      got.push({ user: ctx.userId, data })
    })
    const c = await open('sender')
    await c.send({ hello: 1 })
    await until(() => got.length === 1, 2000, 'send handler')
    assert.deepEqual(got[0], { user: 'sender', data: { hello: 1 } })
    server.rpc.onSend(undefined)
  })

  it('publishing where clients may not publish is 103; subscribing twice is 105', async () => {
    const c = await open('reader')
    const sub = c.newSubscription('news:headlines')
    sub.subscribe()
    await next(sub, 'subscribed')
    await assert.rejects(sub.publish({ x: 1 }), (e: { code: number }) => e.code === 103)
    await assert.rejects(c.publish('chat:not-subscribed', { x: 1 }), (e: { code: number }) => e.code === 103)
    await assert.rejects(c.publish('unknownns:x', { x: 1 }), (e: { code: number }) => e.code === 102)
    assert.equal(c.state, 'connected')
  })

  it('a channel needing a token: without one 103, with a valid one subscribed with chan_info', async () => {
    const c = await open('vip-user')
    const denied = c.newSubscription('vip:lounge')
    const unsubscribed = next(denied, 'unsubscribed')
    denied.subscribe()
    assert.equal((await unsubscribed).code, 103)
    c.removeSubscription(denied)

    const token = await subscriptionToken('vip-user', 'vip:lounge', { info: { seat: 7 } })
    const sub = c.newSubscription('vip:lounge', { token, joinLeave: true })
    sub.subscribe()
    await next(sub, 'subscribed')
    const presence = await sub.presence()
    const entry = Object.values(presence.clients)[0] as { chanInfo: unknown }
    assert.deepEqual(entry.chanInfo, { seat: 7 })
  })

  it('a subscription token for another user closes the connection with 3500', async () => {
    const c = await open('mallory')
    const token = await subscriptionToken('someone-else', 'vip:lounge')
    const sub = c.newSubscription('vip:lounge', { token })
    const disconnected = next(c, 'disconnected')
    sub.subscribe()
    assert.equal((await disconnected).code, 3500)
  })

  it('a subscription token for another channel closes the connection with 3500', async () => {
    const c = await open('vip-user')
    const token = await subscriptionToken('vip-user', 'vip:other-room')
    const sub = c.newSubscription('vip:lounge', { token })
    const disconnected = next(c, 'disconnected')
    sub.subscribe()
    assert.equal((await disconnected).code, 3500)
  })

  it('a subscription token for another client closes the connection with 3500', async () => {
    const c = await open('vip-user')
    const token = await subscriptionToken('vip-user', 'vip:lounge', { client: 'some-other-client' })
    const sub = c.newSubscription('vip:lounge', { token })
    const disconnected = next(c, 'disconnected')
    sub.subscribe()
    assert.equal((await disconnected).code, 3500)
  })

  it('a badly signed subscription token or one without channel is refused with 103, the connection stays', async () => {
    const c = await open('vip-user')
    const good = await subscriptionToken('vip-user', 'vip:lounge')
    const [header, payload] = good.split('.')
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`
    const noChannel = await connectionToken('vip-user')
    for (const token of [forged, noChannel]) {
      const sub = c.newSubscription('vip:lounge', { token })
      const unsubscribed = next(sub, 'unsubscribed')
      sub.subscribe()
      assert.equal((await unsubscribed).code, 103)
      c.removeSubscription(sub)
    }
    assert.equal(c.state, 'connected')
  })

  it('a direct message to #user reaches every connection of that user and nobody else', async () => {
    const z1 = await open('zed')
    const z2 = await open('zed')
    const other = await open('yan')
    const got1 = collect(z1, 'publication')
    const got2 = collect(z2, 'publication')
    const gotOther = collect(other, 'publication')
    await server.hub.publish('#zed', { data: '{"dm":"hi zed"}' })
    await until(() => got1.length === 1 && got2.length === 1, 2000, 'direct message')
    await sleep(100)
    assert.equal(gotOther.length, 0)
    assert.equal(got1[0].channel, '#zed')
    assert.deepEqual(got2[0].data, { dm: 'hi zed' })
    // Clients may not publish to a personal channel, even their own.
    await assert.rejects(z1.publish('#zed', {}), (e: { code: number }) => e.code === 103)
    // Nor subscribe to someone else's.
    const spy = other.newSubscription('#zed')
    const unsubscribed = next(spy, 'unsubscribed')
    spy.subscribe()
    assert.equal((await unsubscribed).code, 103)
  })
})
