import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PusherCode } from '../../../src/protocol/pusher/index.js'
import PusherServer from 'pusher'
import { authEndpoint, connected, nextEvent, pusherClient, sdk, startPusherServer, type AuthEndpoint, type Pusher, type PusherTestServer } from './harness.js'
import { rawClient, rawUrl } from './raw-client.js'

const small = { id: 'small', key: 'small-key', secret: 'small-secret', enableClientMessages: true, maxPresenceMembers: 2, maxPresenceMemberInfoBytes: 50 } as const

describe('Pusher channel limits and encrypted channels', () => {
  let server: PusherTestServer
  let auth: AuthEndpoint
  const clients: Pusher[] = []
  let nextUser = 0
  let info: Record<string, unknown> = {}

  before(async () => {
    server = await startPusherServer({ apps: [small] })
    auth = await authEndpoint(sdk(server.port, small), () => ({ user_id: `user-${nextUser}`, user_info: info }))
  })
  after(async () => {
    for (const client of clients) client.disconnect()
    await auth.close()
    await server.close()
  })

  async function client(): Promise<Pusher> {
    const c = pusherClient(server.port, { key: small.key, authEndpoint: auth.url })
    clients.push(c)
    await connected(c)
    return c
  }

  it('refuses a user past maxPresenceMembers with status 403, but admits another tab of a member', async () => {
    for (const user of [1, 2]) {
      nextUser = user
      await nextEvent((await client()).subscribe('presence-full'), 'pusher:subscription_succeeded')
    }
    nextUser = 3
    assert.equal((await nextEvent((await client()).subscribe('presence-full'), 'pusher:subscription_error')).data.status, 403)
    nextUser = 2
    await nextEvent((await client()).subscribe('presence-full'), 'pusher:subscription_succeeded')
  })

  it('refuses a user_info over maxPresenceMemberInfoBytes with status 400', async () => {
    nextUser = 9
    info = { bio: 'x'.repeat(100) }
    try {
      assert.equal((await nextEvent((await client()).subscribe('presence-big'), 'pusher:subscription_error')).data.status, 400)
    } finally {
      info = {}
    }
  })

  it('refuses presence subscriptions without channel_data and private ones without auth (raw frames)', async () => {
    const raw = await rawClient(rawUrl(server.port, small.key))
    await raw.next('pusher:connection_established')
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-raw' } })
    assert.equal((await raw.next('pusher:subscription_error')).data.status, 401)
    raw.send({ event: 'pusher:subscribe', data: { channel: 'presence-raw', auth: 'small-key:00' } })
    assert.equal((await raw.next('pusher:subscription_error')).data.status, 401)
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-encrypted-raw', auth: 'wrong-key:00' } })
    assert.equal((await raw.next('pusher:subscription_error')).data.status, 401)
    raw.ws.close()
  })

  it('relays end-to-end encrypted events on private-encrypted channels as they are, and refuses client events there', async () => {
    const encrypting = new PusherServer({
      appId: small.id, key: small.key, secret: small.secret, host: '127.0.0.1', port: String(server.port), useTLS: false,
      encryptionMasterKeyBase64: Buffer.alloc(32, 7).toString('base64'),
    })
    const raw = await rawClient(rawUrl(server.port, small.key))
    const socketId = (await raw.next('pusher:connection_established')).data.socket_id as string
    const signed = encrypting.authorizeChannel(socketId, 'private-encrypted-vault')
    assert.ok(typeof signed.shared_secret === 'string', 'the SDK hands the client the channel key; the server never sees it')
    raw.send({ event: 'pusher:subscribe', data: { channel: 'private-encrypted-vault', auth: signed.auth } })
    await raw.next('pusher_internal:subscription_succeeded')
    await encrypting.trigger('private-encrypted-vault', 'sealed', { secret: 'plans' })
    const sealed = await raw.next('sealed')
    assert.deepEqual(Object.keys(sealed.data).sort(), ['ciphertext', 'nonce'])
    assert.ok(!JSON.stringify(sealed).includes('plans'))
    raw.send({ event: 'client-peek', channel: 'private-encrypted-vault', data: {} })
    assert.equal((await raw.next('pusher:error')).data.code, PusherCode.clientEventRejected)
    raw.ws.close()
  })
})

describe('Pusher channels per connection', () => {
  it('refuses a subscription past channels.maxChannelsPerConnection with status 403', async () => {
    const server = await startPusherServer({ apps: [small] })
    try {
      const raw = await rawClient(rawUrl(server.port, small.key))
      await raw.next('pusher:connection_established')
      for (let i = 0; i < 128; i++) raw.send({ event: 'pusher:subscribe', data: { channel: `c-${i}` } })
      for (let i = 0; i < 128; i++) await raw.next('pusher_internal:subscription_succeeded')
      raw.send({ event: 'pusher:subscribe', data: { channel: 'one-too-many' } })
      const refused = await raw.next('pusher:subscription_error')
      assert.equal(refused.channel, 'one-too-many')
      assert.equal(refused.data.status, 403)
      raw.ws.close()
    } finally {
      await server.close()
    }
  })
})

describe('Pusher slow consumers', () => {
  it('closes a connection whose outgoing queue passes limits.maxBufferedBytes with 4100 (pusher-js backs off)', async () => {
    const server = await startPusherServer({ apps: [small] }, { maxBufferedBytes: 64 * 1024 })
    try {
      const slow = await rawClient(rawUrl(server.port, small.key))
      await slow.next('pusher:connection_established')
      slow.send({ event: 'pusher:subscribe', data: { channel: 'firehose' } })
      await slow.next('pusher_internal:subscription_succeeded')
      const fast = await rawClient(rawUrl(server.port, small.key))
      await fast.next('pusher:connection_established')
      fast.send({ event: 'pusher:subscribe', data: { channel: 'firehose' } })
      await fast.next('pusher_internal:subscription_succeeded')
      // The slow client stops reading.
      ;(slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()
      const rest = sdk(server.port, small)
      const blob = 'x'.repeat(9_000)
      const slowConsumers = async () => (await server.app.registry.getSingleMetric('sprocket_slow_consumers_total')?.get())?.values[0]?.value ?? 0
      // Loopback socket buffers take megabytes before the server's own queue grows.
      for (let i = 0; i < 3000 && (await slowConsumers()) === 0; i++) await rest.trigger('firehose', 'blob', { blob })
      assert.equal(await slowConsumers(), 1, 'the slow connection was closed')
      ;(slow.ws as unknown as { _socket: { resume(): void } })._socket.resume()
      assert.equal((await slow.closed).code, 4100)
      await fast.next('blob')
      fast.send({ event: 'pusher:ping' })
      await fast.next('pusher:pong')
      fast.ws.close()
    } finally {
      await server.close()
    }
  })
})
