import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Centrifuge } from 'centrifuge'
import { pino } from 'pino'
import WebSocket from 'ws'
import { startServer, type RunningServer } from '../../../src/cli/start-server.js'
import { chatDemoSignIn } from '../../../src/components/chat/chat-mount.js'
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

const warn = 40

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
