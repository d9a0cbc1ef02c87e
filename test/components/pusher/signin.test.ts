import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import type * as PusherJs from 'pusher-js'
import { createHmac } from 'node:crypto'
import { PusherCode } from '../../../src/protocol/pusher/index.js'
import { app1, collectEvents, nextEvent, sdk, sleep, startPusherServer, until, type Pusher, type PusherTestServer } from './harness.js'
import { rawClient, rawUrl } from './raw-client.js'

const PusherCtor = createRequire(import.meta.url)('pusher-js') as new (key: string, options: PusherJs.Options) => Pusher

describe('Pusher user sign-in and #server-to-user channels', () => {
  let server: PusherTestServer
  const clients: Pusher[] = []

  before(async () => {
    server = await startPusherServer()
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    await server.close()
  })

  /** A pusher-js client signed in through the SDK's authenticateUser (what an app's /pusher/user-auth returns). */
  function signedInClient(userId: string): Pusher {
    const rest = sdk(server.port)
    const client = new PusherCtor(app1.key, {
      cluster: 'mt1', wsHost: '127.0.0.1', wsPort: server.port, wssPort: server.port, forceTLS: false, enabledTransports: ['ws'],
      userAuthentication: {
        endpoint: '/unused',
        transport: 'ajax',
        customHandler: ({ socketId }, callback) => callback(null, rest.authenticateUser(socketId, { id: userId, name: `n-${userId}` })),
      },
    })
    clients.push(client)
    client.signin()
    return client
  }

  it('signs in, then sendToUser reaches every connection of that user and no one else', async () => {
    const tab1 = signedInClient('u-7')
    const tab2 = signedInClient('u-7')
    const other = signedInClient('u-8')
    const got1 = collectEvents(tab1.user, 'notice')
    const got2 = collectEvents(tab2.user, 'notice')
    const gotOther = collectEvents(other.user, 'notice')
    await until(() => [tab1, tab2, other].every((c) => (c.user as any).serverToUserChannel?.subscribed === true), 3000, 'user channels subscribed')
    await sdk(server.port).sendToUser('u-7', 'notice', { text: 'hi' })
    await until(() => got1.length === 1 && got2.length === 1)
    assert.deepEqual(got1[0], { text: 'hi' })
    await sleep(100)
    assert.equal(gotOther.length, 0)
  })

  it('terminateUserConnections closes the signed-in user\'s connections with 4009', async () => {
    const victim = signedInClient('u-9')
    const bystander = signedInClient('u-10')
    await until(() => [victim, bystander].every((c) => (c.user as any).serverToUserChannel?.subscribed === true), 3000, 'signed in')
    const error = nextEvent(victim.connection, 'error')
    await sdk(server.port).terminateUserConnections('u-9')
    const { data } = await error
    assert.equal(data.data?.code ?? data.error?.data?.code, PusherCode.unauthorized)
    await until(() => victim.connection.state !== 'connected')
    assert.equal(bystander.connection.state, 'connected')
  })

  it('refuses #server-to-user-{id} to a connection not signed in as that user (status 403)', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    raw.send({ event: 'pusher:subscribe', data: { channel: '#server-to-user-u-7', auth: '' } })
    assert.equal((await raw.next('pusher:subscription_error')).data.status, 403)
    raw.ws.close()
  })

  it('closes a sign-in with a wrong signature, or user_data without a string id, with 4009', async () => {
    const wrong = await rawClient(rawUrl(server.port, app1.key))
    await wrong.next('pusher:connection_established')
    wrong.send({ event: 'pusher:signin', data: { auth: `${app1.key}:${'0'.repeat(64)}`, user_data: '{"id":"x"}' } })
    assert.equal((await wrong.next('pusher:error')).data.code, PusherCode.unauthorized)
    assert.equal((await wrong.closed).code, PusherCode.unauthorized)

    const noId = await rawClient(rawUrl(server.port, app1.key))
    const socketId = (await noId.next('pusher:connection_established')).data.socket_id as string
    const userData = '{"id":7}'
    const auth = `${app1.key}:${createHmac('sha256', app1.secret).update(`${socketId}::user::${userData}`).digest('hex')}`
    noId.send({ event: 'pusher:signin', data: { auth, user_data: userData } })
    assert.equal((await noId.closed).code, PusherCode.unauthorized)
  })
})
