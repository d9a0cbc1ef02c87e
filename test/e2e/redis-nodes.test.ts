/**
 * Several nodes as one: three `sprocket serve` processes on one Redis (the `redis` engine), with
 * real `centrifuge` clients. Publications made through node C's API reach a client on node A
 * once and in order; a user with connections on two nodes is present once, joins once and
 * leaves once; `info` lists every node and `channels` counts every node's subscribers; a control message from one node's API closes a connection on another.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Centrifuge, type JoinContext, type LeaveContext, type PublicationContext, type Subscription } from 'centrifuge'
import WebSocket from 'ws'
import { signConnectionToken } from '../../src/auth/sign-token.js'
import { ServeProcess } from '../cli/cli-process.js'
import { deleteKeys, freePort, redisSkip, redisUrl, RedisProcess, uniquePrefix } from '../redis-server.js'
import { until as waitUntil } from '../wait.js'
import { writeRedisNodeConfig } from './redis-node-config.js'

const skip = await redisSkip()
const apiKey = 'redis-nodes-key'
const secret = 'redis-nodes-secret'
const keyPrefix = uniquePrefix('nodes')
const dir = mkdtempSync(join(tmpdir(), 'sprocket-redis-nodes-'))

type Node = { name: string; serve: ServeProcess; port: number }
const nodes: Node[] = []
const clients: Centrifuge[] = []

before(async () => {
  if (skip) return
  const configFile = writeRedisNodeConfig(join(dir, 'sprocket.json'), {
    apiKey,
    tokenSecret: secret,
    redis: { keyPrefix },
    namespaces: { feed: { historySize: 2_000, historyTtlMs: 600_000 }, room: { presence: true, joinLeave: true } },
  })
  const started = ['A', 'B', 'C'].map((name) => {
    const serve = new ServeProcess(['--config', configFile, '--port', '0', '--data-dir', join(dir, name), '--engine', 'redis', '--redis-url', redisUrl])
    return { name, serve }
  })
  for (const { name, serve } of started) nodes.push({ name, serve, port: await serve.port() })
})

after(async () => {
  for (const client of clients) client.disconnect()
  await Promise.all(nodes.map((node) => node.serve.stop()))
  rmSync(dir, { recursive: true, force: true })
  if (!skip) await deleteKeys(keyPrefix)
})

function node(name: string): Node {
  const found = nodes.find((n) => n.name === name)
  assert.ok(found, name)
  return found
}

async function connect(on: string, user: string): Promise<Centrifuge> {
  const client = new Centrifuge(`ws://127.0.0.1:${node(on).port}/connection/websocket`, {
    websocket: WebSocket,
    token: await signConnectionToken({ secret, sub: user }),
    timeout: 10_000,
  })
  clients.push(client)
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()))
  client.connect()
  await connected
  return client
}

async function subscribe(client: Centrifuge, channel: string, onSub?: (sub: Subscription) => void): Promise<Subscription> {
  const sub = client.newSubscription(channel, { joinLeave: true })
  onSub?.(sub)
  const subscribed = new Promise<void>((resolve) => sub.once('subscribed', () => resolve()))
  sub.subscribe()
  await subscribed
  return sub
}

async function api(on: string, method: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${node(on).port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  })
  const reply = (await response.json()) as { result?: Record<string, unknown>; error?: { code: number; message: string } }
  if (reply.error !== undefined) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`)
  return reply.result ?? {}
}

const until = (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => waitUntil(check, timeoutMs, what)

describe('three sprocket nodes on one Redis', { skip, timeout: 120_000 }, () => {
  test("1,000 publications through node C's API reach a client on node A once each, in order", async () => {
    const client = await connect('A', 'reader')
    const received: Array<{ offset: number; seq: number }> = []
    await subscribe(client, 'feed:news', (sub) =>
      sub.on('publication', (ctx: PublicationContext) => received.push({ offset: Number(ctx.offset), seq: (ctx.data as { seq: number }).seq })),
    )
    const total = 1_000
    const inFlight = 16
    const acks = new Map<number, number>()
    let next = 0
    const startedMs = Date.now()
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          const seq = next++
          const result = await api('C', 'publish', { channel: 'feed:news', data: { seq } })
          acks.set(Number(result.offset), seq)
        }
      }),
    )
    await until(() => received.length >= total, `${total} publications (got ${received.length})`)
    const deliveredMs = Date.now() - startedMs
    await sleep(100)
    assert.equal(received.length, total, 'no duplicates')
    assert.deepEqual(
      received.map((r) => r.offset),
      Array.from({ length: total }, (_, i) => i + 1),
    )
    for (const r of received) assert.equal(r.seq, acks.get(r.offset), `offset ${r.offset}`)
    console.log(`redis-nodes: ${total} API publishes on C (${inFlight} in flight) delivered on A in ${deliveredMs} ms`)
  })

  test('a user with connections on two nodes is present once, joins once and leaves once', async () => {
    const observer = await connect('C', 'watcher')
    const joins: string[] = []
    const leaves: string[] = []
    await subscribe(observer, 'room:lobby', (sub) => {
      sub.on('join', (ctx: JoinContext) => joins.push(ctx.info.user))
      sub.on('leave', (ctx: LeaveContext) => leaves.push(ctx.info.user))
    })
    const onA = await connect('A', 'bob')
    const subA = await subscribe(onA, 'room:lobby')
    await until(() => joins.includes('bob'), 'the join of bob')
    const onB = await connect('B', 'bob')
    const subB = await subscribe(onB, 'room:lobby')

    const stats = await api('B', 'presence_stats', { channel: 'room:lobby' })
    assert.deepEqual(stats, { num_clients: 3, num_users: 2 })
    const presence = (await api('A', 'presence', { channel: 'room:lobby' })).presence as Record<string, { user: string }>
    assert.deepEqual(Object.values(presence).map((p) => p.user).sort(), ['bob', 'bob', 'watcher'])

    subB.unsubscribe()
    await sleep(300)
    assert.equal(leaves.length, 0, "bob is still on node A")
    subA.unsubscribe()
    await until(() => leaves.includes('bob'), 'the leave of bob')
    await sleep(200)
    // The watcher sees its own join too (as with Centrifugo); bob joined once and left once.
    assert.deepEqual(joins.filter((user) => user === 'bob'), ['bob'])
    assert.deepEqual(leaves, ['bob'])
    assert.deepEqual(await api('C', 'presence_stats', { channel: 'room:lobby' }), { num_clients: 1, num_users: 1 })
  })

  test("the API's info on any node lists all three nodes, with this node's subscriptions", async () => {
    const watcher = await connect('B', 'counted')
    await subscribe(watcher, 'feed:counted')
    let nodesSeen: Array<{ uid: string; num_subs: number }> = []
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      nodesSeen = (await api('C', 'info', {})).nodes as Array<{ uid: string; num_subs: number }>
      if (nodesSeen.length === 3) break
      await sleep(200)
    }
    assert.equal(nodesSeen.length, 3)
    assert.equal(new Set(nodesSeen.map((n) => n.uid)).size, 3)
    const fromB = (await api('B', 'info', {})).nodes as Array<{ uid: string; num_subs: number }>
    assert.ok(fromB[0]!.num_subs >= 1, 'node B counts its own subscription')
  })

  test("the API's channels counts the subscribers of every node", async () => {
    const onA = await connect('A', 'sam')
    const onB = await connect('B', 'sue')
    await subscribe(onA, 'feed:both')
    await subscribe(onB, 'feed:both')
    await subscribe(onB, 'feed:only-b')
    const { channels } = (await api('C', 'channels', { pattern: 'feed:*' })) as { channels: Record<string, { num_clients: number }> }
    assert.deepEqual(channels['feed:both'], { num_clients: 2 })
    assert.deepEqual(channels['feed:only-b'], { num_clients: 1 })
  })

  test("disconnect through node A's API closes the user's connection on node B", async () => {
    const onB = await connect('B', 'carol')
    const disconnected = new Promise<number>((resolve) => onB.once('disconnected', (ctx) => resolve(ctx.code)))
    await api('A', 'disconnect', { user: 'carol' })
    assert.equal(typeof (await disconnected), 'number')
  })
})

describe('a node whose Redis goes away', { skip, timeout: 60_000 }, () => {
  test('answers /readyz 503 and API publishes 113 while Redis is down; when it is back its client learns its stream was lost (recovered: false)', async () => {
    const redis = new RedisProcess(await freePort())
    await redis.start()
    const configFile = writeRedisNodeConfig(join(dir, 'outage.json'), {
      apiKey,
      tokenSecret: secret,
      redis: { url: redis.url, keyPrefix, commandTimeoutMs: 1_000 },
      namespaces: { feed: { historySize: 100, historyTtlMs: 600_000 } },
    })
    const serve = new ServeProcess(['--config', configFile, '--port', '0', '--data-dir', join(dir, 'outage')])
    try {
      const port = await serve.port()
      const base = `http://127.0.0.1:${port}`
      const publish = async (): Promise<{ status: number; body: { result?: { offset: number }; error?: { code: number } } }> => {
        const response = await fetch(`${base}/api/publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ channel: 'feed:x', data: {} }),
        })
        return { status: response.status, body: (await response.json()) as { result?: { offset: number }; error?: { code: number } } }
      }
      assert.equal((await fetch(`${base}/readyz`)).status, 200)
      const client = new Centrifuge(`ws://127.0.0.1:${port}/connection/websocket`, {
        websocket: WebSocket,
        token: await signConnectionToken({ secret, sub: 'dora' }),
        timeout: 5_000,
      })
      clients.push(client)
      const subscribes: Array<{ wasRecovering: boolean; recovered: boolean }> = []
      const received: number[] = []
      const sub = client.newSubscription('feed:x')
      sub.on('subscribed', (ctx) => subscribes.push({ wasRecovering: ctx.wasRecovering, recovered: ctx.recovered }))
      sub.on('publication', (ctx: PublicationContext) => received.push(Number(ctx.offset)))
      sub.subscribe()
      client.connect()
      await until(() => subscribes.length === 1, 'the first subscribe')
      assert.equal((await publish()).body.result?.offset, 1)
      await until(() => received.length === 1, 'the first publication')

      await redis.kill()
      await until(() => serve.logs.some((l) => l.msg.includes('connection lost')), 'the connection loss to be logged')
      const ready = await fetch(`${base}/readyz`)
      assert.deepEqual([ready.status, await ready.json()], [503, { status: 'engine_unavailable' }])
      assert.equal((await publish()).body.error?.code, 113)

      await redis.start()
      let back = false
      for (let i = 0; i < 100 && !back; i++) {
        back = (await fetch(`${base}/readyz`)).status === 200
        if (!back) await sleep(50)
      }
      assert.ok(back, '/readyz never came back to 200')
      // Redis restarted without persistence: the channel starts again in a new epoch, and the
      // client, told its stream had a gap, resubscribes and is told it could not recover.
      await until(() => subscribes.length === 2, 'the resubscribe after the gap')
      assert.deepEqual(subscribes[1], { wasRecovering: true, recovered: false })
      assert.equal((await publish()).body.result?.offset, 1)
      await until(() => received.length === 2, 'the publication of the new epoch')
      assert.deepEqual(received, [1, 1])
      assert.equal(serve.child.exitCode, null, 'the node is still running')
    } finally {
      await serve.stop()
      await redis.kill()
    }
  })
})
