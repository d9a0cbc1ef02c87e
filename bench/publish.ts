/**
 * Publish throughput: the memory engine against the sqlite engine (durable: WAL, group commit),
 * one run, same workload. Run by hand:
 * `npm run bench:publish [-- --count 200000 --inflight 1,10,100,1000 --channels 100 --repeat 3]`.
 *
 * Workload: `count` publishes of a ~100-byte JSON payload over 100 channels (round-robin), history
 * size 100 and TTL 60 s, every channel subscribed (fan-out to a counting handler), with `inflight`
 * publishes kept in flight by as many async loops. Prints publishes/s per engine and the ratio
 * sqlite/memory for each in-flight level, by wall clock and by CPU time of the process (the
 * latter is steadier when other processes share the cores). Each cell runs `repeat` times, memory
 * and sqlite alternating which goes first, and shows the median run (ratios are of the medians);
 * `all runs` lists every sqlite run so the noise is visible.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createMemoryEngine } from '../src/engine/memory/memory-engine.js'
import { createSqliteEngine } from '../src/engine/sqlite/sqlite-engine.js'
import type { Engine, EngineHandler, PublishOptions } from '../src/engine/types.js'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200000' },
    inflight: { type: 'string', default: '1,10,100,1000' },
    channels: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '3' },
  },
})
const count = Number(values.count)
const levels = values.inflight.split(',').map(Number)
const repeat = Math.max(1, Number(values.repeat))
const channels = Array.from({ length: Number(values.channels) }, (_, i) => `bench:${i}`)
const options: PublishOptions = { historySize: 100, historyTtlMs: 60_000, info: { user: 'u1', client: 'c1' } }
const payload = JSON.stringify({ text: 'hello from the publish benchmark', user: 'someone', n: 12345, padding: 'xxxxxxxxxxxxxxxxxxxx' })

let delivered = 0
const handler: EngineHandler = {
  onPublication() {
    delivered++
  },
  onJoin() {},
  onLeave() {},
  onControl() {},
}

type Rate = { wallPerSecond: number; cpuPerSecond: number }

/** Publishes per wall-clock second, and per CPU second of this process (steadier on a busy machine). */
async function measure(engine: Engine, inflight: number, total: number): Promise<Rate> {
  await engine.start(handler)
  for (const c of channels) await engine.subscribe(c)
  delivered = 0
  let next = 0
  const loop = async (): Promise<void> => {
    while (next < total) {
      const i = next++
      await engine.publish(channels[i % channels.length]!, payload, options)
    }
  }
  const startNs = process.hrtime.bigint()
  const startCpu = process.cpuUsage()
  await Promise.all(Array.from({ length: inflight }, loop))
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9
  const cpu = process.cpuUsage(startCpu)
  await new Promise((resolve) => setImmediate(resolve))
  if (delivered !== total) throw new Error(`delivered ${delivered} of ${total}`)
  await engine.close()
  return { wallPerSecond: total / seconds, cpuPerSecond: total / ((cpu.user + cpu.system) / 1e6) }
}

const dir = await mkdtemp(join(tmpdir(), 'sprocket-bench-'))
const rows: string[][] = [
  ['in flight', 'publishes', 'memory/s', 'sqlite/s', 'sqlite/memory', 'memory/cpu-s', 'sqlite/cpu-s', 'ratio (cpu)', 'sqlite commits', 'all runs: sqlite/s (cpu-s)'],
]
try {
  for (const inflight of levels) {
    // One publish in flight is one commit per publish: fewer of them keep the run short.
    const total = inflight === 1 ? Math.min(count, 20_000) : count
    const memoryRuns: Rate[] = []
    const sqliteRuns: Rate[] = []
    let commits = 0
    for (let run = 0; run < repeat; run++) {
      const runSqlite = async (): Promise<void> => {
        const sqlite = createSqliteEngine({ file: join(dir, `bench-${inflight}-${run}.db`) })
        sqliteRuns.push(await measure(sqlite, inflight, total))
        commits = sqlite.stats.commits
      }
      if (run % 2 === 1) await runSqlite()
      memoryRuns.push(await measure(createMemoryEngine(), inflight, total))
      if (run % 2 === 0) await runSqlite()
    }
    const memory = median(memoryRuns)
    const durable = median(sqliteRuns)
    rows.push([
      String(inflight),
      String(total),
      fmt(memory.wallPerSecond),
      fmt(durable.wallPerSecond),
      (durable.wallPerSecond / memory.wallPerSecond).toFixed(2),
      fmt(memory.cpuPerSecond),
      fmt(durable.cpuPerSecond),
      (durable.cpuPerSecond / memory.cpuPerSecond).toFixed(2),
      String(commits),
      sqliteRuns.map((r) => `${fmt(r.wallPerSecond)} (${fmt(r.cpuPerSecond)})`).join(', '),
    ])
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}
const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)))
for (const row of rows) console.log(row.map((cell, col) => cell.padStart(widths[col]!)).join('  '))

/** Median by wall-clock rate and, separately, by CPU rate. */
function median(runs: Rate[]): Rate {
  const mid = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b)
    const half = sorted.length >> 1
    return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2
  }
  return { wallPerSecond: mid(runs.map((r) => r.wallPerSecond)), cpuPerSecond: mid(runs.map((r) => r.cpuPerSecond)) }
}

function fmt(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US')
}
