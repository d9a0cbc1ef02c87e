import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { PusherCode } from '../../../src/protocol/pusher/index.js'
import { app1, app2, connected, nextEvent, pusherClient, sleep, startPusherServer, type PusherTestServer } from './harness.js'
import { rawClient, rawUrl } from './raw-client.js'

describe('Pusher connection', () => {
  let server: PusherTestServer
  before(async () => {
    server = await startPusherServer({
      apps: [app1, app2, { id: 'off', key: 'key-off', secret: 's', enabled: false }, { id: 'tiny', key: 'key-tiny', secret: 's', maxConnections: 1 }],
    })
  })
  after(() => server.close())

  it('pusher-js connects and gets a socket id the SDKs accept', async () => {
    const client = pusherClient(server.port)
    try {
      const socketId = await connected(client)
      assert.match(socketId, /^\d+\.\d+$/)
    } finally {
      client.disconnect()
    }
  })

  it('sends connection_established with a non-zero activity_timeout', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    const frame = await raw.next('pusher:connection_established')
    assert.match(frame.data.socket_id, /^\d+\.\d+$/)
    assert.equal(frame.data.activity_timeout, 120)
    raw.ws.close()
  })

  it('a wrong key gets 4001 and pusher-js does not reconnect', async () => {
    const accepted = async () => {
      const values = (await server.app.registry.getSingleMetric('sprocket_connections_total')?.get())?.values ?? []
      return values.reduce((sum, value) => sum + value.value, 0)
    }
    const before = await accepted()
    const client = pusherClient(server.port, { key: 'no-such-key' })
    const states: string[] = []
    client.connection.bind('state_change', ({ current }: { current: string }) => states.push(current))
    try {
      const { data } = await nextEvent(client.connection, 'error')
      assert.equal(data.error.data.code, PusherCode.appNotFound)
      await sleep(1500)
      // The first attempt started in the constructor; none follows it.
      assert.deepEqual(states.filter((state) => state === 'connecting'), [], `no second attempt: ${states.join(',')}`)
      assert.equal(client.connection.state, 'disconnected')
      assert.equal((await accepted()) - before, 1, 'one WebSocket connection reached the server')
    } finally {
      client.disconnect()
    }
  })

  for (const [what, url, code] of [
    ['a disabled app', (port: number) => rawUrl(port, 'key-off'), PusherCode.appDisabled],
    ['no protocol', (port: number) => rawUrl(port, app1.key, 'client=js'), PusherCode.noProtocol],
    ['a malformed protocol', (port: number) => rawUrl(port, app1.key, 'protocol=seven'), PusherCode.invalidVersion],
    ['an unsupported protocol', (port: number) => rawUrl(port, app1.key, 'protocol=3'), PusherCode.unsupportedProtocol],
  ] as const) {
    it(`refuses ${what} with pusher:error ${code} and close ${code}`, async () => {
      const raw = await rawClient(url(server.port))
      const error = await raw.next('pusher:error')
      assert.equal(error.data.code, code)
      assert.equal((await raw.closed).code, code)
    })
  }

  it('refuses a connection over the app quota with 4004', async () => {
    const first = await rawClient(rawUrl(server.port, 'key-tiny'))
    await first.next('pusher:connection_established')
    const second = await rawClient(rawUrl(server.port, 'key-tiny'))
    assert.equal((await second.next('pusher:error')).data.code, PusherCode.overQuota)
    assert.equal((await second.closed).code, PusherCode.overQuota)
    first.ws.close()
    await first.closed
    await sleep(50)
    const third = await rawClient(rawUrl(server.port, 'key-tiny'))
    await third.next('pusher:connection_established')
    third.ws.close()
  })

  it('answers pusher:ping with pusher:pong', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    raw.send({ event: 'pusher:ping', data: {} })
    await raw.next('pusher:pong')
    raw.ws.close()
  })

  it('answers bad JSON, unknown events, bad fields and oversize data with pusher:error, and stays open', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    for (const frame of ['{not json', '[]', '{"event":42}', '{"event":"pusher:nonsense","data":{}}', '{"event":"hello"}', '{"event":"pusher:subscribe","data":{"channel":7}}', '{"event":"pusher:subscribe","data":"{bad"}',
      `{"event":"pusher:subscribe","data":{"channel":"x","deep":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`,
      `{"event":"pusher:subscribe","data":${JSON.stringify(`{"channel":"x","deep":${'['.repeat(100)}${']'.repeat(100)}}`)}}`]) {
      raw.send(frame)
      assert.equal((await raw.next('pusher:error')).data.code, PusherCode.invalidMessage, frame)
    }
    raw.send({ event: 'client-big', channel: 'private-x', data: { blob: 'x'.repeat(20_000) } })
    assert.equal((await raw.next('pusher:error')).data.code, PusherCode.messageTooLarge)
    raw.send({ event: 'pusher:signin', data: { auth: 42 } })
    assert.equal((await raw.next('pusher:error')).data.code, PusherCode.invalidMessage)
    raw.send({ event: 'pusher:ping', data: {} })
    await raw.next('pusher:pong')
    raw.ws.close()
  })

  it('closes a frame over maxMessageBytes with 1009 without touching other connections', async () => {
    const other = await rawClient(rawUrl(server.port, app1.key))
    await other.next('pusher:connection_established')
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    raw.send({ event: 'client-x', channel: 'private-x', data: 'x'.repeat(70_000) })
    assert.equal((await raw.closed).code, 1009)
    other.send({ event: 'pusher:ping' })
    await other.next('pusher:pong')
    other.ws.close()
  })
})

describe('Pusher heartbeat', () => {
  let server: PusherTestServer
  before(async () => {
    server = await startPusherServer({ apps: [app1], activityTimeoutSeconds: 1, pongTimeoutMs: 300 })
  })
  after(() => server.close())

  it('pings a silent peer and closes it with 4201 when no pong comes', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    await raw.next('pusher:ping', 3000)
    const error = await raw.next('pusher:error', 3000)
    assert.equal(error.data.code, PusherCode.pongTimeout)
    assert.equal((await raw.closed).code, PusherCode.pongTimeout)
  })

  it('keeps a peer that answers the ping', async () => {
    const raw = await rawClient(rawUrl(server.port, app1.key))
    await raw.next('pusher:connection_established')
    await raw.next('pusher:ping', 3000)
    raw.send({ event: 'pusher:pong', data: {} })
    await raw.next('pusher:ping', 3000)
    raw.send({ event: 'pusher:pong', data: {} })
    assert.equal(raw.ws.readyState, raw.ws.OPEN)
    raw.ws.close()
  })

  it('pusher-js stays connected with short activity and pong timeouts', async () => {
    const client = pusherClient(server.port, { activityTimeout: 500, pongTimeout: 500 })
    try {
      await connected(client)
      const states: string[] = []
      client.connection.bind('state_change', ({ current }: { current: string }) => states.push(current))
      await sleep(2500)
      assert.deepEqual(states, [])
      assert.equal(client.connection.state, 'connected')
    } finally {
      client.disconnect()
    }
  })
})

describe('Pusher message rate', () => {
  let server: PusherTestServer
  before(async () => {
    server = await startPusherServer({ apps: [app1], maxMessagesPerSecond: 5, messageBurst: 10 })
  })
  after(() => server.close())

  it('closes a connection past its message rate with 4100, leaving the others alone', async () => {
    const calm = await rawClient(rawUrl(server.port, app1.key))
    await calm.next('pusher:connection_established')
    const flood = await rawClient(rawUrl(server.port, app1.key))
    await flood.next('pusher:connection_established')
    for (let i = 0; i < 30; i++) flood.send({ event: 'pusher:ping', data: {} })
    assert.equal((await flood.next('pusher:error')).data.code, PusherCode.overCapacity)
    assert.equal((await flood.closed).code, PusherCode.overCapacity)
    assert.equal(flood.frames.filter((frame) => frame.event === 'pusher:pong').length, 10)
    calm.send({ event: 'pusher:ping', data: {} })
    await calm.next('pusher:pong')
    calm.ws.close()
  })
})
