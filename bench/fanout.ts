/**
 * Fan-out bench: N subscribers on one channel, K publications in flight. Sprocket's side is an
 * App whose bench component subscribes every connection to one hub channel (memory engine) and
 * a publisher loop calling `hub.publish`; the naive peer is a bare `ws` server calling
 * `ws.send(json)` per client per publication. Each runs in its own process; the C loadgen holds
 * the subscribers, measures publish → delivery latency and tells the publisher which
 * publications are complete (all N delivered), so "in flight" means not yet fully delivered.
 *
 *   npm run bench:fanout -- [--subs 1000,10000] [--inflight 1,32] [--duration 5] [--repeat 2] [--threads 1]
 */
import { startServerChild } from './lib/child.js'
import { ensureLoadgen } from './lib/loadgen.js'
import { fmtInt, fmtMs, fmtPct, fmtRatio, intList, median, parseFlags, printTable, saveResults } from './lib/report.js'
import { subscribeRun, type SubscribeRun } from './lib/subscribe-run.js'

const flags = parseFlags(process.argv.slice(2))
const subsList = intList(flags.get('subs'), [1000, 10_000])
const inFlightList = intList(flags.get('inflight'), [1, 32])
const durationS = Number(flags.get('duration') ?? 5)
const repeat = Number(flags.get('repeat') ?? 2)
const threads = Number(flags.get('threads') ?? 1)

ensureLoadgen()
const sides = [await startServerChild('sprocket', 'sprocket-fanout'), await startServerChild('naive ws', 'ws-fanout')]
const runs: SubscribeRun[] = []
try {
  for (const subscribers of subsList) {
    for (const inFlight of inFlightList) {
      for (let r = 0; r < repeat; r++) {
        const order = r % 2 === 0 ? sides : [...sides].reverse()
        for (const side of order) {
          const run = await subscribeRun(side, { path: '/fanout', subscribers, threads, plan: { inFlight, durationMs: durationS * 1000 } })
          runs.push(run)
          console.error(
            `${side.name} subs=${subscribers} inflight=${inFlight} run ${r + 1}: ${fmtInt(run.deliveries_per_s)} deliveries/s, ` +
              `last-delivery p50 ${fmtMs(run.last_delivery_p50_us)} ms, completion p50 ${run.publish.completionP50Ms.toFixed(1)} ms, published ${run.publish.published}, lost ${run.publish.lost}` +
              (run.closed_during_run ? `, ${run.closed_during_run} connections closed by the server` : ''),
          )
        }
      }
    }
  }
} finally {
  await Promise.all(sides.map((side) => side.stop()))
}

const rows: string[][] = [[
  'subs x in flight', 'side', 'deliveries/s (runs)', 'deliveries/s', 'last p50 ms', 'last p99 ms', 'each p50 ms', 'each p99 ms',
  'server cores', 'deliv/CPU-s', 'lost', 'loadgen headroom', 'ratio deliv/s', 'ratio last p50', 'ratio deliv/CPU-s',
]]
for (const subscribers of subsList) {
  for (const inFlight of inFlightList) {
    const cell = runs.filter((run) => run.conns === subscribers && run.inFlight === inFlight)
    const stats = (side: string) => {
      const mine = cell.filter((run) => run.side === side)
      return {
        runs: mine.map((run) => fmtInt(run.deliveries_per_s)).join(' / '),
        rate: median(mine.map((run) => run.deliveries_per_s)),
        lastP50: median(mine.map((run) => run.last_delivery_p50_us)),
        lastP99: median(mine.map((run) => run.last_delivery_p99_us)),
        eachP50: median(mine.map((run) => run.delivery_p50_us)),
        eachP99: median(mine.map((run) => run.delivery_p99_us)),
        cores: median(mine.map((run) => run.serverCores)),
        perCpu: median(mine.map((run) => run.deliveries_per_s / run.serverCores)),
        lost: mine.reduce((sum, run) => sum + run.publish.lost, 0),
        headroom: Math.min(...mine.map((run) => run.cpu_headroom)),
      }
    }
    const sprocket = stats('sprocket')
    const naive = stats('naive ws')
    for (const [name, s] of [['sprocket', sprocket], ['naive ws', naive]] as const) {
      const first = name === 'sprocket'
      rows.push([
        `${subscribers} x ${inFlight}`, name, s.runs, fmtInt(s.rate), fmtMs(s.lastP50), fmtMs(s.lastP99), fmtMs(s.eachP50), fmtMs(s.eachP99),
        s.cores.toFixed(2), fmtInt(s.perCpu), String(s.lost), fmtPct(s.headroom),
        first ? fmtRatio(sprocket.rate / naive.rate) : '',
        first ? fmtRatio(sprocket.lastP50 / naive.lastP50) : '',
        first ? fmtRatio(sprocket.perCpu / naive.perCpu) : '',
      ])
    }
  }
}
console.log(`\nfan-out bench: one channel, ${durationS}s of publishing per run, ${repeat} runs per side per cell (median shown)`)
printTable(rows)
console.log('\nratio = Sprocket / naive ws. Targets: deliveries/s >= 5x with 32 in flight; last-delivery latency <= 0.85x with 1 in flight.')
console.log('last = publish -> last subscriber received it; each = publish -> every single delivery.')
console.log(`raw runs: ${saveResults('fanout', { durationS, repeat, threads, runs })}`)
