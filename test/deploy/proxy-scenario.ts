/**
 * The deployment docs/deploy.md describes, exercised through one proxy: two `sprocket serve` nodes
 * on the Redis engine with the page's Sprocket config, the proxy in front of them with a
 * certificate from a CA the test makes, and a `centrifuge` client through wss:// that subscribes,
 * receives a publication made through the proxied server API, and recovers what it missed while
 * the proxy was restarted; the nodes see the client's own address through X-Forwarded-For.
 * Every proxy's test runs this same scenario; only how the proxy is configured and started differs.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Centrifuge, type PublicationContext, type SubscribedContext } from 'centrifuge'
import { WebSocket } from 'ws'
import { runCli, ServeProcess } from '../cli/cli-process.js'
import { deleteKeys, redisUrl, uniquePrefix } from '../redis-server.js'
import { makeCa, makeLeaf } from '../certificates.js'
import { deployBlock, substitute } from './doc-blocks.js'
import { freePort, httpsRequest, type ProxyProcess, trustingWebSocket } from './proxy-process.js'
import { until as waitUntil } from '../wait.js'

const API_KEY = 'deploy-test-api-key'
const TOKEN_SECRET = 'deploy-test-token-secret-0123456789'

/** Where the proxy's files go and what it fronts. */
export type ProxySetup = {
  /** A private directory for the proxy's config, pid, logs and temp files. */
  dir: string
  /** The port clients connect to (the page's 443). */
  port: number
  /** The nodes' ports (the page's 8080 and 8081). */
  nodePorts: readonly [number, number]
  /** Holds `fullchain.pem` and `privkey.pem` (the page's /etc/ssl/sprocket/). */
  sslDir: string
}

/** Resolves when `check` holds, polling; fails with `what` after `timeoutMs`. */
const until = (check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => waitUntil(check, timeoutMs, what)

/** What a proxy's config promises beyond the common scenario. */
export type ProxyTraits = {
  /** Checks each node's /readyz itself and stops sending requests to a node that answers 503. */
  checksReadiness: boolean
  /** The signal that makes the proxy reload its config while open WebSockets stay up (nginx: SIGHUP). */
  reloadSignal?: NodeJS.Signals
}

/** Resolves once /readyz through the proxy has answered 200 six times in a row (the draining node left out). */
async function untilOnlyReadyAnswers(port: number, ca: string, timeoutMs = 6_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let inARow = 0
  while (inARow < 6) {
    if (Date.now() > deadline) throw new Error('the proxy still sends requests to the draining node')
    inARow = (await httpsRequest(port, ca, '/readyz')).status === 200 ? inARow + 1 : 0
    if (inARow === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

type Attempt = { status: number; ws: WebSocket }

/** Opens /echo from `localAddress`: status 101 when admitted (the socket stays open), else the refusal status. */
async function openFrom(port: number, ca: string, localAddress: string): Promise<Attempt> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/echo`, { ca, localAddress })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, ws }))
    ws.once('unexpected-response', (_req, res) => (ws.terminate(), resolve({ status: res.statusCode ?? 0, ws })))
    ws.once('error', (error) => reject(error))
  })
}

/** Runs the scenario with the proxy `makeProxy` configures (the scenario starts and restarts it). */
export async function runProxiedDeployment(label: string, makeProxy: (setup: ProxySetup) => ProxyProcess, traits: ProxyTraits): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `sprocket-${label}-`))
  const prefix = uniquePrefix(`deploy-${label}`)
  const ca = makeCa(dir)
  const leaf = makeLeaf(ca, 'server')
  const sslDir = join(dir, 'ssl')
  mkdirSync(sslDir)
  copyFileSync(leaf.certPath, join(sslDir, 'fullchain.pem'))
  copyFileSync(leaf.keyPath, join(sslDir, 'privkey.pem'))

  const configPath = join(dir, 'sprocket.json')
  writeFileSync(configPath, substitute(deployBlock('sprocket-behind-proxy'), [
    ['"port": 8080', '"port": 0'],
    ['"maxConnectionsPerAddress": 100', '"maxConnectionsPerAddress": 1'],
    ['redis://127.0.0.1:6379', redisUrl],
    ['"keyPrefix": "sprocket"', `"keyPrefix": "${prefix}"`],
  ]))
  // A drain delay long enough for a proxy's readiness check to notice a draining node.
  const env = { SPROCKET_API_KEY: API_KEY, SPROCKET_TOKEN_SECRET: TOKEN_SECRET, SPROCKET_SHUTDOWN_DRAIN_DELAY_MS: '8000' }
  const nodeArgs = (dataDir: string) => ['--config', configPath, '--data-dir', join(dir, dataDir), '--log-level', 'debug']
  const nodes = [
    new ServeProcess(nodeArgs('data-1'), { cwd: dir, env }),
    new ServeProcess([...nodeArgs('data-2'), '--port', '0'], { cwd: dir, env }),
  ]
  let proxy: ProxyProcess | undefined
  let client: Centrifuge | undefined
  let spoofer: WebSocket | undefined
  const held: Attempt[] = []
  try {
    const [port1, port2] = await Promise.all(nodes.map((node) => node.port()))
    const port = await freePort()
    proxy = makeProxy({ dir, port, nodePorts: [port1 ?? 0, port2 ?? 0], sslDir })
    await proxy.start()

    const ready = await httpsRequest(port, ca.pem, '/readyz')
    assert.deepEqual([ready.status, JSON.parse(ready.body)], [200, { status: 'ok' }], '/readyz through the proxy')

    const token = await runCli(['token', '--user', 'alice'], { cwd: dir, env })
    assert.equal(token.status, 0, token.stderr)
    client = new Centrifuge(`wss://127.0.0.1:${port}/connection/websocket`, {
      websocket: trustingWebSocket(ca.pem, '127.0.0.2'),
      token: token.stdout.trim(),
      minReconnectDelay: 100,
      maxReconnectDelay: 500,
    })
    const received: unknown[] = []
    const subscribed: SubscribedContext[] = []
    const subscription = client.newSubscription('news:updates')
    subscription.on('publication', (ctx: PublicationContext) => received.push(ctx.data))
    subscription.on('subscribed', (ctx) => subscribed.push(ctx))
    subscription.subscribe()
    client.connect()
    await until(() => subscribed.length === 1, 'the subscription')

    const clientOpened = (node: ServeProcess) => node.logs.some((line) => line.msg === 'open' && line.route === '/connection/websocket')
    await until(() => nodes.some(clientOpened), 'the open log line')
    const clientNode = nodes.find(clientOpened)
    assert.ok(clientNode !== undefined, 'a node logged the connection')
    const openLine = clientNode.logs.find((line) => line.msg === 'open' && line.route === '/connection/websocket')
    assert.equal(openLine?.remoteAddress, '127.0.0.2', 'the node sees the client behind the proxy, not the proxy (127.0.0.1)')

    const publish = (data: unknown) => JSON.stringify({ channel: 'news:updates', data })
    const first = await httpsRequest(port, ca.pem, '/api/publish', { method: 'POST', headers: { 'X-API-Key': API_KEY }, body: publish({ text: 'one' }) })
    assert.equal(first.status, 200, first.body)
    await until(() => received.length === 1, 'the first publication')
    assert.deepEqual(received, [{ text: 'one' }])
    const expected: unknown[] = [{ text: 'one' }]

    if (traits.reloadSignal !== undefined) {
      // A config reload: the open connection stays on the old worker and keeps receiving.
      proxy.signal(traits.reloadSignal)
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      const reloaded = await httpsRequest(port, ca.pem, '/api/publish', { method: 'POST', headers: { 'X-API-Key': API_KEY }, body: publish({ text: 'after reload' }) })
      assert.equal(reloaded.status, 200, reloaded.body)
      expected.push({ text: 'after reload' })
      await until(() => received.length === expected.length, 'a publication after the reload')
      assert.deepEqual(received, expected)
      assert.equal(client.state, 'connected', 'the reload did not drop the connection')
      assert.equal(subscribed.length, 1, 'no new subscription')
    }

    // The proxy goes away: the client loses its connection and retries; a publication made meanwhile
    // (straight to a node) is recovered from history once the proxy is back.
    await proxy.stop()
    await until(() => client?.state === 'connecting', 'the client to notice the proxy is gone')
    const missed = await fetch(`http://127.0.0.1:${port2}/api/publish`, { method: 'POST', headers: { 'X-API-Key': API_KEY }, body: publish({ text: 'two' }) })
    assert.equal(missed.status, 200)
    await proxy.start()
    await until(() => subscribed.length === 2, 'the subscription after the restart')
    assert.equal(subscribed[1]?.wasRecovering, true)
    assert.equal(subscribed[1]?.recovered, true, 'recovered: true')
    expected.push({ text: 'two' })
    await until(() => received.length === expected.length, 'the missed publication')
    assert.deepEqual(received, expected)

    // A client naming another address in X-Forwarded-For is still seen as itself. It connects as
    // a page of the site (publicHosts) would; a page of another site is refused.
    spoofer = new WebSocket(`wss://127.0.0.1:${port}/echo`, {
      ca: ca.pem, localAddress: '127.0.0.3', origin: 'https://chat.example.com', headers: { 'X-Forwarded-For': '203.0.113.9' },
    })
    await new Promise((resolve, reject) => spoofer?.once('open', resolve).once('error', reject))
    // Another site, and a page whose name points at this address (DNS rebinding: its origin is
    // the request's Host), are refused.
    for (const origin of ['https://elsewhere.example', `https://127.0.0.1:${port}`]) {
      const foreign = new WebSocket(`wss://127.0.0.1:${port}/echo`, { ca: ca.pem, origin })
      foreign.on('error', () => undefined)
      const [, refusal] = (await once(foreign, 'unexpected-response')) as [unknown, { statusCode: number }]
      assert.equal(refusal.statusCode, 403, `a page of ${origin} is refused`)
    }
    await until(() => nodes.some((node) => node.logs.some((line) => line.msg === 'open' && line.route === '/echo')), 'the echo connection')
    const echoOpen = nodes.flatMap((node) => node.logs).find((line) => line.msg === 'open' && line.route === '/echo')
    assert.equal(echoOpen?.remoteAddress, '127.0.0.3', 'a forged X-Forwarded-For is not believed')

    // limits.maxConnectionsPerAddress (1 here) counts each client behind the proxy on its own: a
    // client at one address gets at most one connection per node (the third is refused, 429,
    // under its own address) while a client at another address is admitted.
    for (let i = 0; i < 3; i++) held.push(await openFrom(port, ca.pem, '127.0.0.4'))
    const statuses = held.map((attempt) => attempt.status)
    assert.ok(statuses.includes(429) && statuses.filter((status) => status === 101).length <= 2, `statuses ${statuses.join(' ')}`)
    const refusalLines = () => nodes.flatMap((node) => node.logs).filter((line) => line.msg === 'handshake refused' && line.reason === 'address_connections')
    await until(() => refusalLines().length > 0, 'the refusal log line')
    const refusals = refusalLines()
    assert.deepEqual([...new Set(refusals.map((line) => line.remoteAddress))], ['127.0.0.4'], 'refused under the client address')
    held.push(await openFrom(port, ca.pem, '127.0.0.5'))
    assert.equal(held.at(-1)?.status, 101, 'another client behind the same proxy is admitted')

    // SIGTERM: the node's /readyz turns 503 during the drain delay, while it still serves.
    nodes[0]?.child.kill('SIGTERM')
    await nodes[0]?.waitForLog((line) => line.msg === 'draining')
    const draining = await fetch(`http://127.0.0.1:${port1}/readyz`)
    assert.equal(draining.status, 503, '/readyz during the drain delay')
    if (traits.checksReadiness) await untilOnlyReadyAnswers(port, ca.pem)
  } finally {
    client?.disconnect()
    spoofer?.terminate()
    for (const attempt of held) attempt.ws.terminate()
    await proxy?.stop()
    await Promise.all(nodes.map((node) => node.stop()))
    await deleteKeys(prefix)
    rmSync(dir, { recursive: true, force: true })
  }
}
