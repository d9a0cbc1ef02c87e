/**
 * Publish throughput through the Redis engine, two nodes on one Redis: node A publishes, node B
 * is subscribed to every channel and counts deliveries. Run by hand:
 * `npm run bench:redis [-- --count 50000 --inflight 1,100,1000 --channels 100]` (needs Redis at
 * $REDIS_URL, default redis://127.0.0.1:6379; keys go under a unique prefix and are deleted).
 *
 * Prints, per in-flight level: publishes/s (until node B received every publication), and Redis
 * round trips per publish on node A (the command batcher's pipelines; well under 1 under load).
 */
import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { createRedisEngine } from '../src/engine/redis/redis-engine.js'
import type { EngineHandler, PublishOptions } from '../src/engine/types.js'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '50000' },
    inflight: { type: 'string', default: '1,100,1000' },
    channels: { type: 'string', default: '100' },
  },
})
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const count = Number(values.count)
const levels = values.inflight.split(',').map(Number)
const channels = Array.from({ length: Number(values.channels) }, (_, i) => `bench:${i}`)
const options: PublishOptions = { historySize: 100, historyTtlMs: 60_000, info: { user: 'u1', client: 'c1' } }
const payload = JSON.stringify({ text: 'hello from the publish benchmark', user: 'someone', n: 12345, padding: 'xxxxxxxxxxxxxxxxxxxx' })
const prefix = `sprocket-bench.${randomUUID().slice(0, 8)}`

let delivered = 0
const counting: EngineHandler = { onPublication: () => void delivered++, onJoin() {}, onLeave() {}, onControl() {} }
const idle: EngineHandler = { onPublication() {}, onJoin() {}, onLeave() {}, onControl() {} }

const a = createRedisEngine({ url, keyPrefix: prefix })
const b = createRedisEngine({ url, keyPrefix: prefix })
await a.start(idle)
await b.start(counting)
for (const c of channels) await b.subscribe(c)

console.log(`redis engine, ${count} publishes over ${channels.length} channels, node A publishes, node B receives`)
console.log('in flight | publishes/s | round trips per publish')
for (const inflight of levels) {
  const total = inflight === 1 ? Math.min(count, 10_000) : count
  delivered = 0
  const before = a.stats
  let next = 0
  const startedNs = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < total) {
        const i = next++
        await a.publish(channels[i % channels.length]!, payload, options)
      }
    }),
  )
  while (delivered < total) await new Promise((resolve) => setTimeout(resolve, 1))
  const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9
  const roundTrips = a.stats.roundTrips - before.roundTrips
  console.log(`${String(inflight).padStart(9)} | ${Math.round(total / seconds).toString().padStart(11)} | ${(roundTrips / total).toFixed(3)}`)
}

await a.close()
await b.close()
const admin = new Redis(url)
let cursor = '0'
do {
  const [nextCursor, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
  cursor = nextCursor
  if (keys.length > 0) await admin.del(...keys)
} while (cursor !== '0')
admin.disconnect()
