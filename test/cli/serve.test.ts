import assert from 'node:assert/strict'
import { once } from 'node:events'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import WebSocket from 'ws'
import { repoRoot, runCli, ServeProcess } from './cli-process.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-serve-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function openClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url)
  await once(ws, 'open')
  return ws
}

async function echoOnce(ws: WebSocket, data: string | Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  const reply = once(ws, 'message') as Promise<[Buffer, boolean]>
  ws.send(data)
  const [received, isBinary] = await reply
  return { data: received, isBinary }
}

describe('sprocket serve', () => {
  let server: ServeProcess
  let port: number
  before(async () => {
    server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'])
    port = await server.port()
  })
  after(async () => {
    await server.stop()
  })

  test('port 0 logs the bound port and the URL', async () => {
    const line = await server.waitForLog((l) => l.msg === 'serving')
    assert.ok(port > 0)
    assert.equal(line.url, `http://127.0.0.1:${port}`)
    assert.equal(line.engine, 'memory')
  })

  test('/echo echoes text as text and binary as binary', async () => {
    const ws = await openClient(`ws://127.0.0.1:${port}/echo`)
    try {
      const text = await echoOnce(ws, 'hello')
      assert.equal(text.isBinary, false)
      assert.equal(text.data.toString(), 'hello')
      const binary = await echoOnce(ws, Buffer.from([0, 1, 2, 255]))
      assert.equal(binary.isBinary, true)
      assert.deepEqual([...binary.data], [0, 1, 2, 255])
    } finally {
      ws.close()
    }
  })

  test('/healthz and /readyz answer 200, /metrics serves Prometheus text', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`)
      assert.equal(response.status, 200, path)
      assert.deepEqual(await response.json(), { status: 'ok' })
    }
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
    assert.equal(metrics.status, 200)
    const body = await metrics.text()
    assert.match(body, /^sprocket_connections_total/m)
    assert.match(body, /^sprocket_process_cpu_user_seconds_total /m, 'Node.js process metrics are collected')
    assert.doesNotMatch(body, /sprocket_process_process_/, 'process metric names carry the prefix once')
  })

  test('a browser origin other than the server host is refused by default', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { origin: 'https://evil.example' })
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }]
    assert.equal(response.statusCode, 403)
    response.resume()
    ws.on('error', () => {})
    ws.terminate()
  })
})

describe('sprocket serve configuration', () => {
  test('flags > env > file > defaults', async () => {
    const dataDirs = { file: join(dir, 'file-data'), env: join(dir, 'env-data'), flag: join(dir, 'flag-data') }
    const configPath = join(dir, 'precedence.json')
    writeFileSync(configPath, JSON.stringify({ host: '127.0.0.1', port: 1, dataDir: dataDirs.file, engine: { type: 'memory' } }))
    const server = new ServeProcess(['--config', configPath, '--data-dir', dataDirs.flag, '--engine', 'sqlite'], {
      env: { SPROCKET_PORT: '0', SPROCKET_DATA_DIR: dataDirs.env, SPROCKET_ENGINE: 'memory' },
    })
    try {
      const line = await server.waitForLog((l) => l.msg === 'serving')
      assert.notEqual(line.port, 1, 'env (port 0) beats the file (port 1)')
      assert.equal(line.url, `http://127.0.0.1:${String(line.port)}`, 'the file (host) beats the default')
      assert.equal(line.engine, 'sqlite', 'the flag (engine) beats env and file')
      assert.ok(existsSync(join(dataDirs.flag, 'sprocket.db')), 'the flag (data dir) beats env and file')
      assert.ok(!existsSync(dataDirs.env) && !existsSync(dataDirs.file))
    } finally {
      await server.stop()
    }
  })

  test('a port already in use fails the start with exit 1 and one line naming the port and the fix', async () => {
    const squatter = createServer()
    squatter.listen(0, '127.0.0.1')
    await once(squatter, 'listening')
    try {
      const { port } = squatter.address() as AddressInfo
      const server = new ServeProcess(['--port', String(port), '--host', '127.0.0.1', '--engine', 'memory'])
      const result = await server.exited
      assert.equal(result.status, 1)
      assert.equal(
        result.stderr,
        `sprocket: port ${port} on 127.0.0.1 is already in use by another process: stop that process, or choose another port (--port, SPROCKET_PORT or "port" in the config file)\n`,
      )
      const fatal = server.logs.find((l) => l.level === 60 && l.msg === 'failed to start')
      assert.ok(fatal !== undefined && fatal['err'] === undefined && typeof fatal['problem'] === 'string', 'no stack in the log either')
    } finally {
      squatter.close()
    }
  })
})

describe('sprocket serve with publicHosts', () => {
  test('a DNS-rebinding page (its host is the Host header, but not a public host) is refused; a page on a public host connects', async () => {
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], {
      env: { SPROCKET_PUBLIC_HOSTS: 'chat.example.com' },
    })
    try {
      const port = await server.port()
      const attempt = async (origin: string, host: string): Promise<number> => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/connection/websocket`, { origin, headers: { host } })
        ws.on('error', () => {})
        const outcome = await Promise.race([
          once(ws, 'open').then(() => 101),
          once(ws, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
        ])
        ws.terminate()
        return outcome
      }
      assert.equal(await attempt('http://evil.example', 'evil.example'), 403)
      assert.equal(await attempt('https://chat.example.com', 'chat.example.com'), 101)
    } finally {
      await server.stop()
    }
  })
})

describe('sprocket serve /metrics for operators only', () => {
  test('metrics.token: a scrape without the bearer token gets 401', async () => {
    const token = 'scrape-token-0123456789'
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], { env: { SPROCKET_METRICS_TOKEN: token } })
    try {
      const port = await server.port()
      const open = await fetch(`http://127.0.0.1:${port}/metrics`)
      assert.equal(open.status, 401)
      assert.equal(open.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401)
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(scraped.status, 200)
      assert.match(await scraped.text(), /^# HELP sprocket_/m)
    } finally {
      await server.stop()
    }
  })

  test('metrics.port: served on its own listener only', async () => {
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], { env: { SPROCKET_METRICS_PORT: '0' } })
    try {
      const port = await server.port()
      const line = await server.waitForLog((l) => l.msg === 'metrics listening')
      const scraped = await fetch(String(line.url))
      assert.equal(scraped.status, 200)
      assert.match(await scraped.text(), /^# HELP sprocket_/m)
      const main = await fetch(`http://127.0.0.1:${port}/metrics`)
      assert.doesNotMatch(await main.text(), /# HELP sprocket_/)
    } finally {
      await server.stop()
    }
  })
})

describe('sprocket serve start-up failures an operator can fix', () => {
  test('a data directory held by another Sprocket: exit 1 and one line naming it', async () => {
    const dataDir = join(dir, 'held')
    const first = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir])
    try {
      await first.port()
      const second = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir])
      const result = await second.exited
      assert.equal(result.status, 1)
      assert.match(result.stderr, /^sprocket: the data directory .*held is in use by another Sprocket \(.*sprocket\.db is locked\): stop the other server, or give this one its own --data-dir \(SPROCKET_DATA_DIR\)\n$/)
    } finally {
      await first.stop()
    }
  })

  test('a host that is not this machine\'s, and a certificate that is not PEM: one line each', async () => {
    const host = await runCli(['serve', '--port', '0', '--host', '192.0.2.1', '--engine', 'memory'])
    assert.equal(host.status, 1)
    assert.match(host.stderr, /^sprocket: cannot listen on port 0 on 192\.0\.2\.1: 192\.0\.2\.1 is not an address of this machine; .*\n$/)
    const notPem = join(dir, 'not.pem')
    writeFileSync(notPem, 'not a certificate\n')
    const tls = await runCli(['serve', '--port', '0', '--engine', 'memory'], { env: { SPROCKET_TLS_CERT: notPem, SPROCKET_TLS_KEY: notPem } })
    assert.equal(tls.status, 2)
    assert.match(tls.stderr, /^sprocket: invalid configuration:\n {2}tls: .*not\.pem and .*not\.pem are not a PEM certificate and its private key \(.*\)\n$/)
  })
})

describe('sprocket serve on every interface', () => {
  test('says where to open the page (localhost, not 0.0.0.0) and reports misspelled SPROCKET_ variables', async () => {
    const server = new ServeProcess(['--port', '0', '--host', '0.0.0.0', '--engine', 'memory'], { env: { SPROCKET_PROT: '9999' } })
    try {
      const port = await server.port()
      const listening = await server.waitForLog((l) => l.msg === 'listening')
      assert.equal(listening.url, `http://localhost:${port}`)
      assert.equal((await server.waitForLog((l) => l.msg === 'serving')).url, `http://localhost:${port}`)
      const warning = await server.waitForLog((l) => l.msg === 'unknown SPROCKET_ variable ignored')
      assert.equal(warning.variable, 'SPROCKET_PROT')
      assert.equal(warning.didYouMean, 'SPROCKET_PORT')
      assert.equal((await fetch(`http://localhost:${port}/healthz`)).status, 200)
    } finally {
      await server.stop()
    }
  })
})

describe('sprocket serve shutdown', () => {
  test('SIGTERM: /readyz answers 503 during the drain delay, then clients are closed with 1001 and it exits 0 within shutdownTimeoutMs', async () => {
    const timeoutMs = 3000
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], {
      env: { SPROCKET_SHUTDOWN_TIMEOUT_MS: String(timeoutMs), SPROCKET_SHUTDOWN_DRAIN_DELAY_MS: '1000' },
    })
    try {
      const port = await server.port()
      const clients = await Promise.all([openClient(`ws://127.0.0.1:${port}/echo`), openClient(`ws://127.0.0.1:${port}/echo`)])
      const closes = clients.map((ws) => once(ws, 'close') as Promise<[number, Buffer]>)
      const started = Date.now()
      server.child.kill('SIGTERM')
      await server.waitForLog((l) => l.msg === 'draining')
      // The drain delay: probes see 503 while the open connections are still served.
      const readiness = await fetch(`http://127.0.0.1:${port}/readyz`)
      assert.equal(readiness.status, 503)
      assert.deepEqual(await readiness.json(), { status: 'draining' })
      assert.equal((await echoOnce(clients[0] as WebSocket, 'still here')).data.toString(), 'still here')
      const codes = (await Promise.all(closes)).map(([code]) => code)
      assert.deepEqual(codes, [1001, 1001])
      const result = await server.exited
      assert.equal(result.status, 0)
      assert.ok(Date.now() - started < timeoutMs, `exited after ${Date.now() - started} ms`)
      assert.ok(server.logs.some((l) => l.msg === 'shut down'))
    } finally {
      await server.stop()
    }
  })

  test('a second signal exits at once with 1 while a client holds up the shutdown', async () => {
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], {
      env: { SPROCKET_SHUTDOWN_TIMEOUT_MS: '60000' },
    })
    // A raw client that completes the handshake and then never answers the close frame.
    const socket = connect(await server.port(), '127.0.0.1')
    try {
      await once(socket, 'connect')
      socket.write('GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
      const [head] = (await once(socket, 'data')) as [Buffer]
      assert.match(head.toString(), /^HTTP\/1\.1 101/)
      server.child.kill('SIGTERM')
      await server.waitForLog((l) => l.msg === 'draining')
      const started = Date.now()
      server.child.kill('SIGTERM')
      const result = await server.exited
      assert.equal(result.status, 1)
      assert.ok(Date.now() - started < 2000)
    } finally {
      socket.destroy()
      await server.stop()
    }
  })
})

describe('sprocket serve with TLS', () => {
  function selfSignedCert(): { cert: string; key: string } | undefined {
    const cert = join(dir, 'cert.pem')
    const key = join(dir, 'key.pem')
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' })
      return { cert, key }
    } catch {
      return undefined
    }
  }

  test('tls.cert and tls.key serve wss:// and https:// on the same port', async (t) => {
    const pem = selfSignedCert()
    if (pem === undefined) {
      if (process.env.CI === 'true') assert.fail('openssl is needed to make a test certificate')
      t.skip('openssl not installed')
      return
    }
    const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], {
      env: { SPROCKET_TLS_CERT: pem.cert, SPROCKET_TLS_KEY: pem.key },
    })
    try {
      const line = await server.waitForLog((l) => l.msg === 'serving')
      assert.equal(line.url, `https://127.0.0.1:${String(line.port)}`)
      const ws = new WebSocket(`wss://127.0.0.1:${String(line.port)}/echo`, { rejectUnauthorized: false })
      await once(ws, 'open')
      const reply = await echoOnce(ws, 'over tls')
      assert.equal(reply.data.toString(), 'over tls')
      ws.close()
      await once(ws, 'close')
    } finally {
      await server.stop()
    }
  })

  test('an unreadable certificate exits 2 naming tls.cert', async () => {
    const result = await runCli(['serve', '--port', '0', '--engine', 'memory'], {
      env: { SPROCKET_TLS_CERT: join(dir, 'missing-cert.pem'), SPROCKET_TLS_KEY: join(dir, 'missing-key.pem') },
    })
    assert.equal(result.status, 2)
    assert.match(result.stderr, /tls\.cert/)
  })
})

describe('sprocket serve crashes', () => {
  for (const [signal, what] of [['SIGUSR2', 'an uncaught exception'], ['SIGUSR1', 'an unhandled rejection']] as const) {
    test(`${what} is logged at fatal and exits 1`, async () => {
      const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], {
        module: join(repoRoot, 'test/cli/fixtures/serve-then-throw.ts'),
      })
      try {
        await server.port()
        server.child.kill(signal)
        const result = await server.exited
        assert.equal(result.status, 1)
        assert.ok(server.logs.some((l) => l.level === 60 && l.msg === 'uncaught error'))
      } finally {
        await server.stop()
      }
    })
  }
})
