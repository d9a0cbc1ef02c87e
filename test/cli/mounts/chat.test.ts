import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Centrifuge } from 'centrifuge'
import { pino } from 'pino'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../../../src/cli/start-server.js'
import { chatDemoSignIn } from '../../../src/cli/mounts/chat.js'
import { chatOptionsSchema } from '../../../src/components/chat/chat-options.js'
import { configSchema } from '../../../src/config/schema.js'

type LogLine = { level: number; msg?: string; err?: unknown }

/** `sprocket serve` in this process, on a free port, logging into `lines`. */
export async function serveChat(dir: string, config: Record<string, unknown>): Promise<{ server: RunningServer; url: string; lines: LogLine[] }> {
  const lines: LogLine[] = []
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) })
  const server = await startServer(configSchema.parse({ host: '127.0.0.1', port: 0, dataDir: dir, engine: { type: 'memory' }, ...config }), logger)
  return { server, url: `http://127.0.0.1:${server.port}`, lines }
}

export function signIn(url: string, name: string): Promise<Response> {
  return fetch(`${url}/chat/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
}

async function demoSignInAdvertised(url: string): Promise<boolean> {
  return ((await (await fetch(`${url}/chat/config`)).json()) as { demoSignIn: boolean }).demoSignIn
}

const debug = 20
const warn = 40
const error = 50

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('demo sign-in under sprocket serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-chat-mount-'))
  let count = 0
  const dataDir = () => join(dir, String(count++))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('is on by default in demo mode (no token key)', async () => {
    const { server, url } = await serveChat(dataDir(), {})
    try {
      assert.equal(await demoSignInAdvertised(url), true)
      assert.equal((await signIn(url, 'Ann')).status, 200)
    } finally {
      await server.close(1000)
    }
  })

  it('serves the page at / next to the chat routes', async () => {
    const { server, url } = await serveChat(dataDir(), {})
    try {
      const page = await fetch(`${url}/`)
      assert.equal(page.status, 200)
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
      assert.match(await page.text(), /<script[^>]+src="\/client\/centrifuge\.js"/)
      assert.match((await fetch(`${url}/chat/config`)).headers.get('content-type') ?? '', /^application\/json/)
    } finally {
      await server.close(1000)
    }
  })

  it('is off by default once client.tokenSecret is configured', async () => {
    const { server, url } = await serveChat(dataDir(), { client: { tokenSecret: 'a-production-secret-of-some-length' } })
    try {
      assert.equal(await demoSignInAdvertised(url), false)
      assert.equal((await signIn(url, 'Mallory')).status, 404)
    } finally {
      await server.close(1000)
    }
  })

  it('stays on with a configured secret when chat.demoSignIn is true, with a warning', async () => {
    const { server, url, lines } = await serveChat(dataDir(), { client: { tokenSecret: 'a-production-secret-of-some-length' }, chat: { demoSignIn: true } })
    try {
      assert.equal(await demoSignInAdvertised(url), true)
      assert.equal((await signIn(url, 'Guest')).status, 200)
      assert.ok(lines.some((line) => line.level === warn && /demo sign-in/.test(line.msg ?? '')), 'a warning says demo sign-in is open')
    } finally {
      await server.close(1000)
    }
  })

  it('hands out tokens the server accepts when client.audience and client.issuer are set', async () => {
    const client = { tokenSecret: 'a-production-secret-of-some-length', audience: 'chat.example.com', issuer: 'https://example.com' }
    const { server, url } = await serveChat(dataDir(), { client, chat: { demoSignIn: true } })
    const response = await signIn(url, 'Guest')
    assert.equal(response.status, 200)
    const { token } = (await response.json()) as { token: string }
    const centrifuge = new Centrifuge(`ws://127.0.0.1:${server.port}/connection/websocket`, { token, websocket: WebSocket, minReconnectDelay: 60_000 })
    try {
      const outcome = await new Promise<string>((resolve) => {
        centrifuge.on('connected', () => resolve('connected'))
        centrifuge.on('disconnected', (ctx) => resolve(`disconnected ${ctx.code}`))
        centrifuge.connect()
      })
      assert.equal(outcome, 'connected')
    } finally {
      centrifuge.disconnect()
      await server.close(1000)
    }
  })

  it('treats a sign-in whose client goes away mid-body as the peer\'s doing: logged at debug, not as a failure', async () => {
    const { server, lines } = await serveChat(dataDir(), {})
    try {
      const socket = connect(server.port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write('POST /chat/signin HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"name":')
      await new Promise((resolve) => setTimeout(resolve, 50))
      const from = lines.length
      socket.destroy()
      const since = () => lines.slice(from)
      await waitFor(() => since().some((line) => line.level >= error || (line.level === debug && /sign-in/.test(line.msg ?? ''))))
      assert.deepEqual(since().filter((line) => line.level >= warn).map((line) => line.msg), [])
      // The route still answers the next client.
      assert.equal((await signIn(`http://127.0.0.1:${server.port}`, 'Ann')).status, 200)
    } finally {
      await server.close(1000)
    }
  })

  it('resolves the default from the client section: any key turns it off, an explicit value wins', () => {
    const chat = chatOptionsSchema.parse({})
    assert.equal(chat.demoSignIn, undefined)
    assert.equal(chatDemoSignIn({ chat, client: {} }), true)
    assert.equal(chatDemoSignIn({ chat, client: { tokenSecret: 's' } }), false)
    assert.equal(chatDemoSignIn({ chat, client: { jwksUrl: 'https://example.com/jwks.json' } }), false)
    assert.equal(chatDemoSignIn({ chat: { ...chat, demoSignIn: true }, client: { tokenSecret: 's' } }), true)
    assert.equal(chatDemoSignIn({ chat: { ...chat, demoSignIn: false }, client: {} }), false)
  })
})
