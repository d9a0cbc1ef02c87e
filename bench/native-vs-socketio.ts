/**
 * Native protocol vs Socket.IO: N subscribers on one channel through Sprocket's
 * Centrifugo-compatible endpoint (`/connection/websocket`, each client sends connect + subscribe
 * in its first frame, as centrifuge-js does) against a Socket.IO server whose clients joined one
 * room (`io.to(room).emit`). The C loadgen speaks both wire formats (Engine.IO v4 over WebSocket:
 * `40` to connect, `2` pings answered with `3`). Publications enter in the server process
 * (`hub.publish` / `io.to().emit`), driven the same way on both sides:
 *  - closed loop: K publications in flight (not yet delivered to every subscriber) → throughput;
 *  - open loop: a fixed rate R on both sides → latency at equal load.
 *
 *   npm run bench:native -- [--subs 1000] [--inflight 32] [--rate 50] [--duration 5] [--repeat 2] [--threads 1]
 */
import { startServerChild, type ServerChild } from './lib/child.js'
import { ensureLoadgen } from './lib/loadgen.js'
import type { PublishPlan } from './lib/publisher.js'
import { fmtInt, fmtMs, fmtPct, fmtRatio, median, parseFlags, printTable, saveResults } from './lib/report.js'
import { subscribeRun, type SubscribeRun } from './lib/subscribe-run.js'

const flags = parseFlags(process.argv.slice(2))
const subscribers = Number(flags.get('subs') ?? 1000)
const inFlight = Number(flags.get('inflight') ?? 32)
const ratePerSec = Number(flags.get('rate') ?? 50)
const durationS = Number(flags.get('duration') ?? 5)
const repeat = Number(flags.get('repeat') ?? 2)
const threads = Number(flags.get('threads') ?? 1)

/** How the loadgen talks to each side. */
const wire: Record<string, { path: string; args: string[] }> = {
  sprocket: {
    path: '/connection/websocket',
    args: ['--init', '{"connect":{},"id":1}\n{"subscribe":{"channel":"bench"},"id":2}', '--reply', '{}={}'],
  },
  'socket.io': { path: '/socket.io/?EIO=4&transport=websocket', args: ['--init', '40', '--reply', '2=3'] },
}

type Cell = { label: string; plan: PublishPlan }
const cells: Cell[] = [
  { label: `closed loop, ${inFlight} in flight`, plan: { inFlight, durationMs: durationS * 1000 } },
  { label: `open loop, ${ratePerSec} pub/s`, plan: { inFlight: 10_000, ratePerSec, durationMs: durationS * 1000 } },
]

async function measure(side: ServerChild, cell: Cell): Promise<SubscribeRun & { cell: string }> {
  const { path, args } = wire[side.name]!
  const run = await subscribeRun(side, { path, subscribers, threads, plan: cell.plan, loadgenArgs: args })
  return { ...run, cell: cell.label }
}

ensureLoadgen()
const sides = [await startServerChild('sprocket', 'sprocket-centrifuge'), await startServerChild('socket.io', 'socketio')]
const runs: (SubscribeRun & { cell: string })[] = []
try {
  for (const cell of cells) {
    for (let r = 0; r < repeat; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse()
      for (const side of order) {
        const run = await measure(side, cell)
        runs.push(run)
        console.error(
          `${side.name} ${cell.label} run ${r + 1}: ${fmtInt(run.deliveries_per_s)} deliveries/s, p50 ${fmtMs(run.delivery_p50_us)} ms, ` +
            `p99 ${fmtMs(run.delivery_p99_us)} ms, published ${run.publish.published}, lost ${run.publish.lost}, skipped ${run.publish.skipped}`,
        )
      }
    }
  }
} finally {
  await Promise.all(sides.map((side) => side.stop()))
}

const rows: string[][] = [[
  'cell', 'side', 'deliveries/s (runs)', 'deliveries/s', 'p50 ms', 'p99 ms', 'last p50 ms', 'last p99 ms', 'server cores', 'deliv/CPU-s',
  'lost', 'skipped', 'loadgen headroom', 'ratio deliv/s', 'ratio p50', 'ratio deliv/CPU-s',
]]
for (const cell of cells) {
  const stats = (side: string) => {
    const mine = runs.filter((run) => run.cell === cell.label && run.side === side)
    return {
      runs: mine.map((run) => fmtInt(run.deliveries_per_s)).join(' / '),
      rate: median(mine.map((run) => run.deliveries_per_s)),
      p50: median(mine.map((run) => run.delivery_p50_us)),
      p99: median(mine.map((run) => run.delivery_p99_us)),
      lastP50: median(mine.map((run) => run.last_delivery_p50_us)),
      lastP99: median(mine.map((run) => run.last_delivery_p99_us)),
      cores: median(mine.map((run) => run.serverCores)),
      perCpu: median(mine.map((run) => run.deliveries_per_s / run.serverCores)),
      lost: mine.reduce((sum, run) => sum + run.publish.lost, 0),
      skipped: mine.reduce((sum, run) => sum + run.publish.skipped, 0),
      headroom: Math.min(...mine.map((run) => run.cpu_headroom)),
    }
  }
  const sprocket = stats('sprocket')
  const sio = stats('socket.io')
  for (const [name, s] of [['sprocket', sprocket], ['socket.io', sio]] as const) {
    const first = name === 'sprocket'
    rows.push([
      cell.label, name, s.runs, fmtInt(s.rate), fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.lastP50), fmtMs(s.lastP99), s.cores.toFixed(2),
      fmtInt(s.perCpu), String(s.lost), String(s.skipped), fmtPct(s.headroom),
      first ? fmtRatio(sprocket.rate / sio.rate) : '',
      first ? fmtRatio(sprocket.p50 / sio.p50) : '',
      first ? fmtRatio(sprocket.perCpu / sio.perCpu) : '',
    ])
  }
}
console.log(`\nnative protocol vs Socket.IO: ${subscribers} subscribers on one channel, ${durationS}s of publishing per run, ${repeat} runs per side per cell (median shown)`)
printTable(rows)
console.log('\nratio = Sprocket / Socket.IO. Target: deliveries/s >= 3x in the closed-loop cell. p50/p99 = publish -> each delivery; last = -> last subscriber.')
console.log('In the open-loop cell both sides get the same publication rate, so deliveries/s match when both keep up; compare latency and CPU there.')
console.log(`raw runs: ${saveResults('native-vs-socketio', { subscribers, durationS, repeat, threads, cells, runs })}`)
