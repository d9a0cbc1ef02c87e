/**
 * `npm run soak`: one `sprocket serve` (the built dist/, sqlite engine, compression on) under ten
 * minutes of what production and attackers do at once, sampling the server's own RSS and
 * event-loop delay from its /metrics. Both must stay flat. Not in CI: it takes minutes.
 *
 *   npm run build && npm run soak -- --minutes 10
 *
 * Load, all on 127.0.0.1:
 * - 200 subscribers of a channel with history, each a raw native-protocol WebSocket;
 * - API publishes to that channel, about 50 a second, and 50 a second to 50 channels without history;
 * - connection churn: 20 clients that connect, subscribe, and close, over and over;
 * - 5 slow readers that subscribe and never read (the server must close them as slow consumers);
 * - every 5 s, the attacks of the hardening issue: a frame of 199 history calls, a command nested
 *   20,000 levels deep, an API batch of 2,000 commands, a crafted `channels` pattern, 50 refused
 *   handshakes with 12 KB URLs, and typing-channel spam.
 * Prints one line per sample and a verdict: RSS growth from the first-minute sample to the end,
 * and the worst event-loop p99.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, 'sample-seconds': { type: 'string', default: '10' } } })
const durationMs = Number(values.minutes) * 60_000
const sampleMs = Number(values['sample-seconds']) * 1000
const apiKey = 'soak-api-key-0123456789'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-soak-'))
writeFileSync(
  join(dir, 'soak.json'),
  JSON.stringify({
    compression: { enabled: true },
    channels: {
      default: { historySize: 100, historyTtlMs: 300_000, anonymousAccess: true, presence: true, joinLeave: true, allowPublish: 'subscribers' },
      namespaces: { flat: { anonymousAccess: true, allowPublish: 'subscribers', clientPublishesPerSecond: 2, clientPublishBurst: 5, maxPublicationBytes: 256 } },
    },
  }),
)

const server = spawn(process.execPath, ['bin/sprocket.js', 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir, '--config', join(dir, 'soak.json'), '--log-level', 'info'], {
  env: { ...process.env, SPROCKET_API_KEY: apiKey },
  stdio: ['ignore', 'pipe', 'inherit'],
})
let logBuffer = ''
const port = await new Promise<number>((resolve, reject) => {
  server.stdout.on('data', (chunk: Buffer) => {
    logBuffer += chunk.toString()
    const match = /"port":(\d+)/.exec(logBuffer)
    if (match?.[1] !== undefined) resolve(Number(match[1]))
  })
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
})
// Keep reading the server's log so its pipe never fills.
server.stdout.on('data', () => {})
const base = `http://127.0.0.1:${port}`
const wsUrl = `ws://127.0.0.1:${port}/connection/websocket`
let stopping = false
const timers: NodeJS.Timeout[] = []

function every(ms: number, task: () => unknown): void {
  timers.push(setInterval(() => void Promise.resolve().then(task).catch(() => {}), ms))
}

function api(method: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'X-API-Key': apiKey }, body: JSON.stringify(body) })
}

/** A native-protocol client: connects anonymously and subscribes; `read: false` never reads. */
async function subscriber(channel: string, read = true): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl, { perMessageDeflate: true })
  ws.on('error', () => {})
  await once(ws, 'open')
  ws.send(`{"connect":{},"id":1}\n{"subscribe":{"channel":"${channel}","recoverable":true},"id":2}`)
  if (!read) (ws as unknown as { _socket: { pause(): void } })._socket.pause()
  // The protocol's ping is an empty command; a client that does not answer it is closed (3012).
  else ws.on('message', (data) => {
    if (data.toString().split('\n').includes('{}')) ws.send('{}')
  })
  return ws
}

async function metrics(): Promise<{ rss: number; lagP99: number; connections: number }> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const lines = text.split('\n')
  const value = (name: string) => Number(lines.find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? NaN)
  // The open-connections gauge has one sample per route.
  const connections = lines.filter((line) => line.startsWith('sprocket_connections{')).reduce((sum, line) => sum + Number(line.split(' ')[1]), 0)
  return { rss: value('sprocket_process_resident_memory_bytes'), lagP99: value('sprocket_nodejs_eventloop_lag_p99_seconds'), connections }
}

const steady = await Promise.all(Array.from({ length: 200 }, () => subscriber('soak')))
/** Close codes the steady subscribers got: they should get none. */
const steadyCloses = new Map<number, number>()
for (const ws of steady) ws.on('close', (code) => {
  if (!stopping) steadyCloses.set(code, (steadyCloses.get(code) ?? 0) + 1)
})
const slow: WebSocket[] = []
let published = 0
let refused = 0

every(100, async () => {
  const batch = Array.from({ length: 10 }, (_, i) => ({ publish: { channel: i % 2 === 0 ? 'soak' : `flat:${published % 50}`, data: { n: published++ } } }))
  const response = await api('batch', { commands: batch })
  if (!response.ok) refused++
  await response.arrayBuffer()
})
every(250, async () => {
  const churn = await Promise.all(Array.from({ length: 20 }, () => subscriber(`churn:${Math.floor(Math.random() * 10)}`)))
  for (const ws of churn) ws.close()
})
every(5000, async () => {
  while (slow.length > 0) slow.pop()?.terminate()
  for (let i = 0; i < 5; i++) slow.push(await subscriber('soak', false))
})
every(5000, async () => {
  // One frame, 199 history calls: answered within the reply budget, the rest refused with 111.
  const ws = await subscriber('soak')
  ws.send(Array.from({ length: 199 }, (_, i) => `{"history":{"channel":"soak","limit":300},"id":${i + 10}}`).join('\n'))
  // Nested 20,000 levels: closed with 3501 before parsing.
  const deep = await subscriber('soak')
  deep.send(`{"publish":{"channel":"soak","data":${'['.repeat(20_000)}${']'.repeat(20_000)}},"id":9}`)
  // Typing spam: past the namespace's rate, refused with 111.
  for (let i = 0; i < 50; i++) ws.send(`{"publish":{"channel":"flat:x","data":{"typing":true}},"id":${1000 + i}}`)
  setTimeout(() => {
    ws.terminate()
    deep.terminate()
  }, 1000)
  await (await api('batch', { commands: Array.from({ length: 2000 }, () => ({ info: {} })) })).arrayBuffer()
  await (await api('channels', { pattern: `${'*a'.repeat(11)}*b` })).arrayBuffer()
  for (let i = 0; i < 50; i++) {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.end(`GET /nowhere/${'x'.repeat(12_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`)
  }
})

const samples: Array<{ atS: number; rss: number; lagP99: number; connections: number }> = []
const started = Date.now()
console.log('t (s)   RSS (MiB)   event-loop p99 (ms)   connections   published   steady closed')
while (Date.now() - started < durationMs && !stopping) {
  await new Promise((resolve) => setTimeout(resolve, sampleMs))
  const sample = { atS: Math.round((Date.now() - started) / 1000), ...(await metrics()) }
  samples.push(sample)
  console.log(
    `${String(sample.atS).padStart(5)}   ${(sample.rss / 2 ** 20).toFixed(1).padStart(9)}   ${(sample.lagP99 * 1000).toFixed(1).padStart(19)}   ${String(sample.connections).padStart(11)}   ${String(published).padStart(9)}   ${JSON.stringify(Object.fromEntries(steadyCloses))}`,
  )
}
stopping = true
for (const timer of timers) clearInterval(timer)
for (const ws of [...steady, ...slow]) ws.terminate()
server.kill('SIGTERM')
await once(server, 'exit')
rmSync(dir, { recursive: true, force: true })

const reference = samples.find((sample) => sample.atS >= 60) ?? samples[0]
const last = samples.at(-1)
if (reference !== undefined && last !== undefined) {
  const growth = (last.rss - reference.rss) / reference.rss
  const worstLag = Math.max(...samples.map((sample) => sample.lagP99))
  console.log(`\nRSS ${(reference.rss / 2 ** 20).toFixed(1)} MiB at ${reference.atS} s → ${(last.rss / 2 ** 20).toFixed(1)} MiB at ${last.atS} s (${(growth * 100).toFixed(1)} %)`)
  console.log(`worst event-loop p99 ${(worstLag * 1000).toFixed(1)} ms; ${published} publications, ${refused} API batches refused`)
  console.log(`steady subscribers closed: ${JSON.stringify(Object.fromEntries(steadyCloses))}`)
  const flat = growth < 0.2 && worstLag < 0.2 && steadyCloses.size === 0
  console.log(flat ? 'flat: RSS grew under 20 %, the event loop stayed under 200 ms, no steady subscriber was dropped' : 'NOT FLAT')
  process.exitCode = flat ? 0 : 1
}
