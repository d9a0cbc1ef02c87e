/**
 * Fan-out over real sockets: the server as `sprocket serve` composes it (memory engine, hub,
 * native protocol, server API), 1,000 WebSocket subscribers on one channel — raw `ws` clients
 * speaking the JSON protocol plus one real `centrifuge` client — and publications through the
 * HTTP API. Every subscriber must get every publication exactly once, in offset order.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Centrifuge, type PublicationContext } from 'centrifuge'
import WebSocket from 'ws'
import { createLogger } from '../../src/cli/logger.js'
import { startServer, type RunningServer } from '../../src/cli/start-server.js'
import { centrifugeMount } from '../../src/cli/mounts/centrifuge.js'
import { serverApiMount } from '../../src/cli/mounts/centrifuge-api.js'
import { configSchema } from '../../src/config/index.js'

const apiKey = 'fanout-test-key'
const channel = 'fan:room'
const rawSubscribers = 999
const publications = 50
const publishersInFlight = 8
/** Handshakes started at once: well inside the listen backlog. */
const connectWave = 100

type Received = { offset: number; seq: number }
type Pub = { data?: { seq?: unknown }; offset?: number }
type Reply = {
  id?: number
  error?: { code: number }
  subscribe?: { offset?: number; epoch?: string }
  push?: { channel?: string; pub?: Pub }
}

/**
 * One subscriber on a plain `ws` socket: connect + subscribe in one frame, publications recorded,
 * anything else but pings noted as a problem.
 */
class RawSubscriber {
  readonly received: Received[] = []
  readonly problems: string[] = []
  /** The stream position the subscribe result reported (offset 0 is omitted on the wire). */
  position: { offset: number; epoch: string } | undefined
  readonly #ws: WebSocket
  readonly subscribed: Promise<void>

  constructor(url: string, channel: string) {
    this.#ws = new WebSocket(url)
    this.subscribed = new Promise((resolve, reject) => {
      this.#ws.on('error', reject)
      this.#ws.on('close', (code) => reject(new Error(`closed ${code} before subscribing`)))
      this.#ws.on('open', () => {
        this.#ws.send(`${JSON.stringify({ connect: {}, id: 1 })}\n${JSON.stringify({ subscribe: { channel }, id: 2 })}`)
      })
      this.#ws.on('message', (data: Buffer) => {
        for (const line of data.toString('utf8').split('\n')) {
          if (line === '') continue
          const reply = JSON.parse(line) as Reply
          if (reply.id === 1 || reply.id === 2) {
            if (reply.error !== undefined) {
              reject(new Error(`command ${reply.id} failed with code ${reply.error.code}`))
            } else if (reply.id === 2) {
              this.position = { offset: reply.subscribe?.offset ?? 0, epoch: reply.subscribe?.epoch ?? '' }
              resolve()
            }
          } else if (reply.push?.pub !== undefined) {
            const pub = reply.push.pub
            if (reply.push.channel !== channel) this.problems.push(`publication on ${reply.push.channel}`)
            this.received.push({ offset: pub.offset ?? -1, seq: typeof pub.data?.seq === 'number' ? pub.data.seq : -1 })
          } else if (reply.push === undefined && reply.id === undefined && Object.keys(reply).length === 0) {
            this.#ws.send('{}') // the server's ping
          } else {
            this.problems.push(`unexpected frame ${line}`)
          }
        }
      })
    })
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return
    const closed = once(this.#ws, 'close')
    this.#ws.close()
    await closed
  }
}

let server: RunningServer
let baseUrl: string
let wsUrl: string

before(async () => {
  const config = configSchema.parse({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'error',
    engine: { type: 'memory' },
    api: { key: apiKey },
    client: { allowAnonymous: true },
    chat: { enabled: false },
    channels: { namespaces: { fan: { historySize: 100, historyTtlMs: 60_000, anonymousAccess: true } } },
  })
  server = await startServer(config, createLogger(config.logLevel), [serverApiMount, centrifugeMount])
  baseUrl = `http://127.0.0.1:${server.port}`
  wsUrl = `ws://127.0.0.1:${server.port}/connection/websocket`
})

after(async () => {
  await server?.close(2_000)
})

async function publish(seq: number, channel: string): Promise<{ offset: number; epoch: string }> {
  const response = await fetch(`${baseUrl}/api/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ channel, data: { seq, text: `publication ${seq}` } }),
  })
  assert.equal(response.status, 200)
  const body = (await response.json()) as { result?: { offset: number; epoch: string }; error?: { code: number } }
  assert.ok(body.result !== undefined, `publish ${seq} answered ${JSON.stringify(body)}`)
  return body.result
}

test('1,000 subscribers (999 raw ws + 1 centrifuge client) each get 50 concurrent HTTP publications exactly once, in offset order', { timeout: 120_000 }, async () => {
  const raw: RawSubscriber[] = []
  const client = new Centrifuge(wsUrl, { websocket: WebSocket, timeout: 30_000 })
  const clientReceived: Received[] = []
  try {
    const connectStartMs = Date.now()
    for (let start = 0; start < rawSubscribers; start += connectWave) {
      const wave: RawSubscriber[] = []
      for (let i = start; i < Math.min(start + connectWave, rawSubscribers); i++) wave.push(new RawSubscriber(wsUrl, channel))
      raw.push(...wave)
      await Promise.all(wave.map((subscriber) => subscriber.subscribed))
    }
    const sub = client.newSubscription(channel)
    sub.on('publication', (ctx: PublicationContext) => {
      const seq = (ctx.data as { seq?: unknown }).seq
      clientReceived.push({ offset: ctx.offset ?? -1, seq: typeof seq === 'number' ? seq : -1 })
    })
    sub.subscribe()
    client.connect()
    await sub.ready(30_000)
    const connectMs = Date.now() - connectStartMs
    assert.equal(server.context.app.connectionCount, rawSubscribers + 1, 'every subscriber holds its own connection')

    // Publishes overlap (several in flight), so the hub must keep offset order under concurrency;
    // what each subscriber must see is the acknowledged (offset, seq) pairs in offset order.
    const publishStartMs = Date.now()
    const acked: Received[] = []
    const epochs = new Set<string>()
    let next = 1
    const publisher = async (): Promise<void> => {
      while (next <= publications) {
        const seq = next++
        const result = await publish(seq, channel)
        epochs.add(result.epoch)
        acked.push({ offset: result.offset, seq })
      }
    }
    await Promise.all(Array.from({ length: publishersInFlight }, publisher))
    const publishMs = Date.now() - publishStartMs

    const everyone = [...raw.map((subscriber) => subscriber.received), clientReceived]
    const deadline = Date.now() + 20_000
    while (everyone.some((received) => received.length < publications) && Date.now() < deadline) await sleep(20)
    const deliveredMs = Date.now() - publishStartMs
    await sleep(300) // room for a duplicate to show up

    assert.equal(epochs.size, 1, 'one epoch throughout')
    const expected = [...acked].sort((a, b) => a.offset - b.offset)
    assert.deepEqual(
      expected.map((publication) => publication.offset),
      Array.from({ length: publications }, (_, i) => i + 1),
      'a fresh channel numbers publications 1..50',
    )
    const short = everyone.filter((received) => received.length < publications).length
    assert.equal(short, 0, `${short} subscribers missed publications`)
    raw.forEach((subscriber, i) => {
      assert.deepEqual(subscriber.problems, [], `raw subscriber ${i}`)
      assert.deepEqual(subscriber.received, expected, `raw subscriber ${i} got each publication once, in order`)
    })
    assert.deepEqual(clientReceived, expected, 'the centrifuge client got each publication once, in order')
    console.log(
      `fanout: ${raw.length + 1} subscribers connected in ${connectMs} ms; ${publications} publishes in ${publishMs} ms; ` +
        `${(raw.length + 1) * publications} deliveries complete ${deliveredMs} ms after the first publish`,
    )
  } finally {
    client.disconnect()
    await Promise.all(raw.map((subscriber) => subscriber.close()))
  }
})

test('200 subscribers joining while publications stream each get every publication after their subscribe position, once, in order', { timeout: 120_000 }, async () => {
  const joining = 'fan:joining'
  const subscribers: RawSubscriber[] = []
  const acked = new Map<number, number>() // offset → seq
  const epochs = new Set<string>()
  let joined = false
  let next = 1
  let afterJoin = 0
  // Keeps publishing (2 in flight) until every subscriber joined, then 20 more.
  const publisher = async (): Promise<void> => {
    while (!joined || afterJoin < 20) {
      if (joined) afterJoin++
      const seq = next++
      const result = await publish(seq, joining)
      epochs.add(result.epoch)
      acked.set(result.offset, seq)
    }
  }
  try {
    const publishing = Promise.all([publisher(), publisher()])
    for (let wave = 0; wave < 10; wave++) {
      const batch = Array.from({ length: 20 }, () => new RawSubscriber(wsUrl, joining))
      subscribers.push(...batch)
      await Promise.all(batch.map((subscriber) => subscriber.subscribed))
    }
    joined = true
    await publishing

    assert.equal(epochs.size, 1, 'one epoch throughout')
    const top = acked.size
    assert.deepEqual([...acked.keys()].sort((a, b) => a - b), Array.from({ length: top }, (_, i) => i + 1), 'offsets 1..top')
    const deadline = Date.now() + 20_000
    const missing = (subscriber: RawSubscriber) => subscriber.received.length < top - subscriber.position!.offset
    while (subscribers.some(missing) && Date.now() < deadline) await sleep(20)
    await sleep(300)

    const positions = subscribers.map((subscriber) => subscriber.position!.offset)
    assert.ok(new Set(positions).size > 1, `subscribers joined at different positions (${Math.min(...positions)}..${Math.max(...positions)})`)
    subscribers.forEach((subscriber, i) => {
      const position = subscriber.position!
      assert.deepEqual(subscriber.problems, [], `subscriber ${i}`)
      assert.equal(position.epoch, [...epochs][0], `subscriber ${i} epoch`)
      const expected = Array.from({ length: top - position.offset }, (_, k) => ({ offset: position.offset + k + 1, seq: acked.get(position.offset + k + 1)! }))
      assert.deepEqual(subscriber.received, expected, `subscriber ${i} (subscribed at offset ${position.offset}) got ${position.offset + 1}..${top} once, in order`)
    })
    console.log(`fanout while joining: ${subscribers.length} subscribers joined at offsets ${Math.min(...positions)}..${Math.max(...positions)} of ${top}`)
  } finally {
    joined = true
    await Promise.all(subscribers.map((subscriber) => subscriber.close()))
  }
})
