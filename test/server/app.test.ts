import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { App, EchoServer, mountHealth, mountMetrics, readinessHandler } from '../../src/index.js'
import { closed, metric, nextMessage, openClient, rawExchange, startApp, statusOf, upgradeRequest } from './helpers.js'

describe('App routing and handshake refusals', () => {
  let app: Awaited<ReturnType<typeof startApp>>
  before(async () => {
    app = await startApp({}, (a) => {
      a.route('/echo', new EchoServer())
      a.route('/rooms/*', new EchoServer())
      a.mount('/hello', (_req, res) => {
        res.end('hi')
      })
      a.mount('/boom', () => {
        throw new Error('handler bug')
      })
    })
  })
  after(() => app.close())

  test('echoes text as text and binary as binary', async () => {
    const ws = await openClient(app.url('/echo'))
    ws.send('hello')
    const text = await nextMessage(ws)
    assert.equal(text.isBinary, false)
    assert.equal(text.data.toString(), 'hello')
    ws.send(Buffer.from([0, 1, 2, 255]))
    const binary = await nextMessage(ws)
    assert.equal(binary.isBinary, true)
    assert.deepEqual([...binary.data], [0, 1, 2, 255])
    ws.close()
    await closed(ws)
  })

  test('prefix routes match the paths below them', async () => {
    const ws = await openClient(app.url('/rooms/42?x=1'))
    ws.send('in a room')
    assert.equal((await nextMessage(ws)).data.toString(), 'in a room')
    ws.close()
  })

  test('unknown path: 404 before the upgrade', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'status="404"')
    const response = await rawExchange(app.port, upgradeRequest('/nope'))
    assert.equal(statusOf(response), 404)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'status="404"'), before + 1)
  })

  test('plain GET on a WebSocket route: 426 with Upgrade: websocket', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'reason="no_upgrade"')
    const res = await fetch(`http://127.0.0.1:${app.port}/echo`)
    assert.equal(res.status, 426)
    assert.equal(res.headers.get('upgrade'), 'websocket')
    await res.text()
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="no_upgrade"'), before + 1)
  })

  test('missing Sec-WebSocket-Key: 400', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_key"')
    const response = await rawExchange(app.port, upgradeRequest('/echo', { 'Sec-WebSocket-Key': undefined }))
    assert.equal(statusOf(response), 400)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_key"'), before + 1)
  })

  test('unsupported version: 426 naming version 13 (RFC 6455 §4.2.2)', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_version"')
    const response = await rawExchange(app.port, upgradeRequest('/echo', { 'Sec-WebSocket-Version': '7' }))
    assert.equal(statusOf(response), 426)
    assert.match(response, /\r\nSec-WebSocket-Version: 13\r\n/i)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_version"'), before + 1)
  })

  test('malformed Sec-WebSocket-Protocol: 400, counted', async () => {
    const response = await rawExchange(app.port, upgradeRequest('/echo', { 'Sec-WebSocket-Protocol': 'a,,b' }))
    assert.equal(statusOf(response), 400)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_negotiation"'), 1)
  })

  test('malformed Sec-WebSocket-Extensions: 400 with compression off too; well-formed ones are accepted (and ignored)', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_negotiation"')
    const malformed = ['permessage-deflate; ;', 'a,,b', '"quoted"', 'x; y=', 'x; y="unterminated', 'x y']
    for (const header of malformed) {
      assert.equal(statusOf(await rawExchange(app.port, upgradeRequest('/echo', { 'Sec-WebSocket-Extensions': header }))), 400, header)
    }
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_negotiation"'), before + malformed.length)
    for (const header of ['permessage-deflate; client_max_window_bits', 'foo; bar="baz, qux", x-webkit-deflate-frame', ' a ; b = c ']) {
      const ws = await openClient(app.url('/echo'), { headers: { 'Sec-WebSocket-Extensions': header } })
      ws.close()
      await closed(ws)
    }
  })

  test('non-GET upgrade: 405, counted', async () => {
    const response = await rawExchange(app.port, upgradeRequest('/echo').replace('GET', 'POST'))
    assert.equal(statusOf(response), 405)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_method"'), 1)
  })

  test('Upgrade header other than websocket: 400, counted', async () => {
    const response = await rawExchange(app.port, upgradeRequest('/echo', { Upgrade: 'h2c' }))
    assert.equal(statusOf(response), 400)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="bad_upgrade"'), 1)
  })

  test('plain HTTP mounts, 404 elsewhere, 500 when a handler throws', async () => {
    const hello = await fetch(`http://127.0.0.1:${app.port}/hello?q=1`)
    assert.equal(await hello.text(), 'hi')
    const missing = await fetch(`http://127.0.0.1:${app.port}/missing`)
    assert.equal(missing.status, 404)
    await missing.text()
    const boom = await fetch(`http://127.0.0.1:${app.port}/boom`)
    assert.equal(boom.status, 500)
    await boom.text()
  })

  test('port 0 binds a real port, address() reports it', () => {
    assert.ok(app.port > 0)
    assert.equal(app.address()?.port, app.port)
    assert.equal(app.state, 'ready')
  })
})

describe('origin allow-list', () => {
  let app: Awaited<ReturnType<typeof startApp>>
  before(async () => {
    app = await startApp({}, (a) => {
      a.route('/own', new EchoServer())
      a.route('/exact', new EchoServer(), ['https://app.example.com'])
      a.route('/wild', new EchoServer(), ['*.example.com'])
      a.route('/any', new EchoServer(), ['*'])
    })
  })
  after(() => app.close())

  const status = async (path: string, headers: Record<string, string | undefined>) =>
    statusOf(await rawExchange(app.port, upgradeRequest(path, headers)))
  // A successful upgrade never closes the socket by itself: read only the status line.
  const upgradeStatus = (path: string, headers: Record<string, string | undefined>) =>
    new Promise<number>((resolve) => {
      void openClient(app.url(path), { headers: headers as Record<string, string> }).then(
        (ws) => {
          ws.close()
          resolve(101)
        },
        (error: Error) => resolve(Number(/(\d{3})/.exec(error.message)?.[1])),
      )
    })

  test('exact origin: allowed, others 403', async () => {
    const before = await metric(app, 'sprocket_handshakes_refused_total', 'status="403"')
    assert.equal(await upgradeStatus('/exact', { Origin: 'https://app.example.com' }), 101)
    assert.equal(await status('/exact', { Origin: 'http://app.example.com' }), 403)
    assert.equal(await status('/exact', { Origin: 'https://evil.com' }), 403)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'status="403"'), before + 2)
  })

  test('wildcard: subdomains allowed, the apex and look-alikes refused', async () => {
    assert.equal(await upgradeStatus('/wild', { Origin: 'https://a.example.com' }), 101)
    assert.equal(await upgradeStatus('/wild', { Origin: 'http://a.b.example.com:8080' }), 101)
    assert.equal(await status('/wild', { Origin: 'https://example.com' }), 403)
    assert.equal(await status('/wild', { Origin: 'https://badexample.com' }), 403)
  })

  test("'*' allows any origin", async () => {
    assert.equal(await upgradeStatus('/any', { Origin: 'https://whatever.test' }), 101)
  })

  test('default: only the server’s own host; no Origin (non-browser) allowed', async () => {
    const host = `127.0.0.1:${app.port}`
    assert.equal(await upgradeStatus('/own', { Origin: `http://${host}` }), 101)
    assert.equal(await status('/own', { Host: host, Origin: 'http://other.test' }), 403)
    assert.equal(await status('/own', { Host: host, Origin: 'null' }), 403)
    assert.equal(await upgradeStatus('/own', {}), 101)
  })
})

describe('maxConnections', () => {
  test('the connection over the limit gets 503, counted', async () => {
    const app = await startApp({ maxConnections: 2 }, (a) => a.route('/echo', new EchoServer()))
    const a = await openClient(app.url('/echo'))
    const b = await openClient(app.url('/echo'))
    const response = await rawExchange(app.port, upgradeRequest('/echo'))
    assert.equal(statusOf(response), 503)
    assert.equal(await metric(app, 'sprocket_handshakes_refused_total', 'reason="too_many_connections"'), 1)
    a.close()
    await closed(a)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const c = await openClient(app.url('/echo'))
    c.send('room again')
    assert.equal((await nextMessage(c)).data.toString(), 'room again')
    b.close()
    c.close()
    await app.close()
  })
})

describe('TLS', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sprocket-tls-'))
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' })
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('wss:// and https:// on the same port with a self-signed certificate', async () => {
    const tls = { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }
    const app = await startApp({ tls }, (a) => {
      a.route('/echo', new EchoServer())
      mountHealth(a)
    })
    const ws = await openClient(`wss://localhost:${app.port}/echo`, { ca: tls.cert })
    ws.send('secure')
    assert.equal((await nextMessage(ws)).data.toString(), 'secure')
    const { request } = await import('node:https')
    const body = await new Promise<string>((resolve, reject) => {
      request(`https://localhost:${app.port}/healthz`, { ca: tls.cert }, (res) => {
        let text = ''
        res.on('data', (chunk: Buffer) => (text += chunk.toString()))
        res.on('end', () => resolve(text))
      }).on('error', reject).end()
    })
    assert.deepEqual(JSON.parse(body), { status: 'ok' })
    ws.close()
    await closed(ws)
    await app.close()
  })
})

describe('graceful close and health', () => {
  test('clients get 1001, /readyz answers 503 while draining, close() resolves', async () => {
    const app: App & { url(path: string): string } = await startApp({}, (a) => {
      a.route('/echo', new EchoServer())
      mountHealth(a)
      mountMetrics(a)
    })
    const base = `http://127.0.0.1:${app.port}`
    const healthz = await fetch(`${base}/healthz`)
    assert.equal(healthz.status, 200)
    assert.deepEqual(await healthz.json(), { status: 'ok' })
    const ready = await fetch(`${base}/readyz`)
    assert.equal(ready.status, 200)
    await ready.text()

    const clients = await Promise.all([1, 2, 3].map(() => openClient(app.url('/echo'))))
    const codes = Promise.all(clients.map(closed))
    const closing = app.close({ drainDelayMs: 1_000, timeoutMs: 2_000 })
    assert.equal(app.state, 'draining')
    const draining = await fetch(`${base}/readyz`, { headers: { Connection: 'close' } })
    assert.equal(draining.status, 503)
    assert.deepEqual(await draining.json(), { status: 'draining' })
    await closing
    assert.equal(app.state, 'closed')
    assert.deepEqual((await codes).map((c) => c.code), [1001, 1001, 1001])
    assert.equal(await metric(app, 'sprocket_closes_total', 'code="1001"'), 3)
    assert.equal(await metric(app, 'sprocket_connections'), 0)
  })

  test('/readyz answers 503 while an app is starting', async () => {
    const starting = new App({ port: 0 })
    const probe = await startApp({}, (a) => a.mount('/readyz', readinessHandler(starting)))
    const res = await fetch(`http://127.0.0.1:${probe.port}/readyz`)
    assert.equal(res.status, 503)
    assert.deepEqual(await res.json(), { status: 'starting' })
    await probe.close()
    await starting.close()
    assert.equal(starting.state, 'closed')
  })

  test('a client that never answers the close is dropped after timeoutMs', async () => {
    const app = await startApp({}, (a) => a.route('/echo', new EchoServer()))
    const { RawClient } = await import('./helpers.js')
    const raw = await RawClient.open(app.port, '/echo')
    raw.socket.pause()
    const started = Date.now()
    await app.close({ timeoutMs: 200 })
    assert.ok(Date.now() - started < 3_000)
    assert.equal(app.state, 'closed')
    raw.destroy()
  })

  test('/metrics serves Prometheus text whose counters move', async () => {
    const app = await startApp({}, (a) => {
      a.route('/echo', new EchoServer())
      mountMetrics(a)
    })
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/metrics`)
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/)
      return res.text()
    }
    const sample = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
    const first = await scrape()
    for (const name of ['sprocket_connections_total', 'sprocket_messages_received_total', 'sprocket_sent_bytes_total']) {
      assert.match(first, new RegExp(`# TYPE ${name} counter`))
    }
    const ws = await openClient(app.url('/echo'))
    ws.send('12345')
    await nextMessage(ws)
    const second = await scrape()
    assert.equal(sample(second, 'sprocket_connections_total'), 1)
    assert.equal(sample(second, 'sprocket_connections'), 1)
    assert.equal(sample(second, 'sprocket_messages_received_total'), sample(first, 'sprocket_messages_received_total') + 1)
    assert.equal(sample(second, 'sprocket_received_bytes_total'), 5)
    assert.equal(sample(second, 'sprocket_sent_bytes_total'), 5)
    ws.close()
    await closed(ws)
    await app.close()
  })
})
