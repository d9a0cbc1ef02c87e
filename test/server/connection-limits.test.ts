import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { WebSocket } from 'ws'
import { App, EchoServer, type Component, type Conn } from '../../src/index.js'
import { ClientAddressResolver } from '../../src/server/client-address.js'
import { defaultMaxConnections, maxConnectionsFor } from '../../src/server/open-file-limit.js'
import { closed, metric, openClient, rawExchange, startApp, statusOf, upgradeRequest } from './helpers.js'

/** Remembers the address each connection was accepted from. */
class AddressRecorder implements Component {
  readonly addresses: string[] = []
  onOpen(conn: Conn): void {
    this.addresses.push(conn.remoteAddress)
  }
  onMessage(): void {}
  onClose(): void {}
  onError(): void {}
}

async function closeAll(clients: WebSocket[]): Promise<void> {
  await Promise.all(clients.map((ws) => {
    const done = closed(ws)
    ws.close()
    return done
  }))
}

describe('connection limits', () => {
  test('maxConnectionsPerAddress: the next handshake from that address gets 429 until one closes', async () => {
    const app = await startApp({ maxConnectionsPerAddress: 2 }, (a) => a.route('/echo', new EchoServer()))
    try {
      const clients = [await openClient(app.url('/echo')), await openClient(app.url('/echo'))]
      const refused = await rawExchange(app.port, upgradeRequest('/echo'))
      assert.equal(statusOf(refused), 429)
      assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="address_connections"'), 1)
      await closeAll(clients.splice(0, 1))
      clients.push(await openClient(app.url('/echo')))
      await closeAll(clients)
    } finally {
      await app.close()
    }
  })

  test('handshakesPerSecondPerAddress: a burst of as many, then 429 with Retry-After: 1', async () => {
    const app = await startApp({ handshakesPerSecondPerAddress: 3 }, (a) => a.route('/echo', new EchoServer()))
    try {
      const clients = [await openClient(app.url('/echo')), await openClient(app.url('/echo')), await openClient(app.url('/echo'))]
      const refused = await rawExchange(app.port, upgradeRequest('/echo'))
      assert.equal(statusOf(refused), 429)
      assert.match(refused, /\r\nRetry-After: 1\r\n/)
      await new Promise((resolve) => setTimeout(resolve, 400))
      clients.push(await openClient(app.url('/echo')))
      await closeAll(clients)
    } finally {
      await app.close()
    }
  })

  test('a route cap (maxRouteConnections) leaves the other routes their connections', async () => {
    const app = await startApp({}, (a) => {
      a.route('/echo', new EchoServer(), undefined, { maxRouteConnections: 1 })
      a.route('/other', new EchoServer())
    })
    try {
      const clients = [await openClient(app.url('/echo'))]
      assert.equal(statusOf(await rawExchange(app.port, upgradeRequest('/echo'))), 503)
      assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="route_full"'), 1)
      clients.push(await openClient(app.url('/other')), await openClient(app.url('/other')))
      await closeAll(clients.splice(0, 1))
      clients.push(await openClient(app.url('/echo')))
      await closeAll(clients)
    } finally {
      await app.close()
    }
  })

  test('trusted proxies name the client: its address is what limits and components see; others cannot claim one', async () => {
    const recorder = new AddressRecorder()
    const app = await startApp({ trustedProxies: ['127.0.0.1'], maxConnectionsPerAddress: 1 }, (a) => a.route('/echo', recorder))
    const untrusting = new AddressRecorder()
    const plain = await startApp({ maxConnectionsPerAddress: 1 }, (a) => a.route('/echo', untrusting))
    try {
      const behind = (client: string) => ({ headers: { 'X-Forwarded-For': `${client}, 127.0.0.1` } })
      const clients = [await openClient(app.url('/echo'), behind('203.0.113.1')), await openClient(app.url('/echo'), behind('203.0.113.2'))]
      assert.deepEqual(recorder.addresses, ['203.0.113.1', '203.0.113.2'])
      assert.equal(statusOf(await rawExchange(app.port, upgradeRequest('/echo', { 'X-Forwarded-For': '203.0.113.1' }))), 429)

      // Not a trusted proxy's connection: the header is the client's own claim, and ignored.
      clients.push(await openClient(plain.url('/echo'), behind('203.0.113.7')))
      assert.deepEqual(untrusting.addresses, ['127.0.0.1'])
      assert.equal(statusOf(await rawExchange(plain.port, upgradeRequest('/echo', { 'X-Forwarded-For': '203.0.113.8' }))), 429)
      await closeAll(clients)
    } finally {
      await app.close()
      await plain.close()
    }
  })
})

describe('ClientAddressResolver', () => {
  test('reads Forwarded and X-Forwarded-For right to left, skipping trusted hops', () => {
    const resolver = new ClientAddressResolver(['127.0.0.1', '10.0.0.0/8', 'fd00::/8'])
    assert.equal(resolver.resolve('127.0.0.1', { 'x-forwarded-for': '198.51.100.9, 203.0.113.5, 10.1.2.3' }), '203.0.113.5')
    assert.equal(resolver.resolve('::ffff:127.0.0.1', { 'x-forwarded-for': '203.0.113.5' }), '203.0.113.5')
    assert.equal(resolver.resolve('10.9.9.9', { forwarded: 'for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"' }), '2001:db8::1')
    assert.equal(resolver.resolve('10.9.9.9', { forwarded: 'for="192.0.2.43:47011"', 'x-forwarded-for': '198.51.100.1' }), '192.0.2.43')
    assert.equal(resolver.resolve('10.0.0.1', { 'x-forwarded-for': '10.0.0.2, 10.0.0.3' }), '10.0.0.2', 'all trusted: the first hop')
    assert.equal(resolver.resolve('10.0.0.1', {}), '10.0.0.1', 'no header: the proxy itself')
    assert.equal(resolver.resolve('10.0.0.1', { 'x-forwarded-for': 'unknown' }), '10.0.0.1', 'garbage: the socket address')
    assert.equal(resolver.resolve('198.51.100.1', { 'x-forwarded-for': '203.0.113.5' }), '198.51.100.1', 'untrusted peer')
    assert.throws(() => new ClientAddressResolver(['10.0.0.0/x']), /not an IP address or CIDR range/)
  })
})

describe('the default connection ceiling', () => {
  test('is the open-file limit less a tenth of it (at least 256), 20,000 where the limit is unknown', () => {
    assert.equal(maxConnectionsFor(1024), 768)
    assert.equal(maxConnectionsFor(20_000), 18_000)
    assert.equal(maxConnectionsFor(undefined), 20_000)
    assert.equal(new App().maxConnections, defaultMaxConnections())
    assert.equal(new App({ maxConnections: 5 }).maxConnections, 5)
  })
})
