/**
 * `sprocket serve --workers N`: N node processes on one port (node:cluster) sharing the Redis
 * engine. Clients spread over the workers, a publish reaches all of them, a killed worker is
 * replaced and its clients reconnect, and SIGTERM drains them all. With a one-node engine the
 * command refuses with status 2 and names the fix; without a reachable Redis it exits 1.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Centrifuge, type PublicationContext } from 'centrifuge'
import WebSocket from 'ws'
import { signConnectionToken } from '../../src/auth/sign-token.js'
import { runCli, ServeProcess } from '../cli/cli-process.js'
import { deleteKeys, freePort, redisSkip, redisUrl, uniquePrefix } from '../redis-server.js'
import { until as waitUntil } from '../wait.js'
import { writeRedisNodeConfig } from './redis-node-config.js'

const skip = await redisSkip()
const apiKey = 'workers-key'
const secret = 'workers-secret'
const keyPrefix = uniquePrefix('workers')
const dir = mkdtempSync(join(tmpdir(), 'sprocket-workers-'))
after(async () => {
  rmSync(dir, { recursive: true, force: true })
  if (!skip) await deleteKeys(keyPrefix)
})

const until = (check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => waitUntil(check, timeoutMs, what)

test('--workers with a one-node engine exits 2 and names the fix', async () => {
  const result = await runCli(['serve', '--workers', '2', '--engine', 'sqlite', '--port', '0', '--data-dir', join(dir, 'sqlite')])
  assert.equal(result.status, 2)
  assert.match(result.stderr, /--engine redis/)
})

test('serve exits 1 when Redis cannot be reached within connectTimeoutMs', async () => {
  const configFile = join(dir, 'unreachable.json')
  const url = `redis://127.0.0.1:${await freePort()}`
  writeFileSync(configFile, JSON.stringify({ host: '127.0.0.1', chat: { enabled: false }, engine: { type: 'redis', redis: { url, connectTimeoutMs: 300 } } }))
  const result = await runCli(['serve', '--config', configFile, '--port', '0', '--data-dir', join(dir, 'unreachable')])
  assert.equal(result.status, 1)
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; err?: { code?: string } })
  assert.equal(lines.find((line) => line.msg === 'failed to start')?.err?.code, 'ENGINE_UNAVAILABLE')
})

describe('two workers on one port', { skip, timeout: 90_000 }, () => {
  test('clients spread over both, a publish reaches all, a killed worker is replaced, SIGTERM drains', async () => {
    const configFile = writeRedisNodeConfig(join(dir, 'sprocket.json'), {
      apiKey,
      tokenSecret: secret,
      redis: { url: redisUrl, keyPrefix },
      namespaces: { feed: { historySize: 1_000, historyTtlMs: 600_000 } },
    })
    const serve = new ServeProcess(['--config', configFile, '--port', '0', '--data-dir', join(dir, 'data'), '--workers', '2'])
    const clients: Centrifuge[] = []
    try {
      const port = await serve.port()
      await until(() => serve.logs.filter((l) => l.msg === 'serving').length === 2, 'both workers serving')
      const serving = serve.logs.filter((l) => l.msg === 'serving')
      assert.equal(new Set(serving.map((l) => l.port)).size, 1, 'one port')
      const api = async (method: string, body: unknown): Promise<Record<string, unknown>> => {
        const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify(body),
        })
        return ((await response.json()) as { result: Record<string, unknown> }).result
      }

      const received: number[][] = []
      for (let i = 0; i < 20; i++) {
        const client = new Centrifuge(`ws://127.0.0.1:${port}/connection/websocket`, {
          websocket: WebSocket,
          token: await signConnectionToken({ secret, sub: `u${i}` }),
          minReconnectDelay: 50,
          maxReconnectDelay: 500,
        })
        clients.push(client)
        const mine: number[] = []
        received.push(mine)
        const sub = client.newSubscription('feed:all')
        sub.on('publication', (ctx: PublicationContext) => mine.push(Number(ctx.offset)))
        const subscribed = new Promise<void>((resolve) => sub.once('subscribed', () => resolve()))
        sub.subscribe()
        client.connect()
        await subscribed
      }
      let nodes: Array<{ num_clients: number }> = []
      // Other nodes' figures are as of their last announcement (every 3 s).
      const settled = (): boolean => nodes.length === 2 && nodes.reduce((sum, n) => sum + n.num_clients, 0) === 20
      for (let i = 0; i < 50 && !settled(); i++) {
        nodes = (await api('info', {})).nodes as Array<{ num_clients: number }>
        if (!settled()) await sleep(200)
      }
      assert.equal(nodes.length, 2, 'each worker is a node')
      assert.ok(nodes.every((n) => n.num_clients > 0), `clients spread: ${nodes.map((n) => n.num_clients).join(', ')}`)

      await api('publish', { channel: 'feed:all', data: { n: 1 } })
      await until(() => received.every((r) => r.length === 1), 'the publication on every client')

      const victim = serving[0]!.pid as number
      process.kill(victim, 'SIGKILL')
      await until(() => serve.logs.filter((l) => l.msg === 'serving').length === 3, 'a replacement worker')
      await sleep(300)
      await api('publish', { channel: 'feed:all', data: { n: 2 } })
      await until(() => received.every((r) => r.length === 2), 'the second publication on every client, reconnected or not')
      assert.ok(received.every((r) => r[0] === 1 && r[1] === 2), 'once each, in order')

      for (const client of clients) client.disconnect()
      serve.child.kill('SIGTERM')
      const exited = await serve.exited
      assert.equal(exited.status, 0)
    } finally {
      for (const client of clients) client.disconnect()
      await serve.stop()
    }
  })
})
