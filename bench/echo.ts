/**
 * Echo bench: Sprocket's `/echo` (App + EchoServer) against a bare `ws` server with the same
 * options, each in its own process, driven in turn by the C loadgen in the same run.
 *
 *   npm run bench:echo -- [--conns 100,1000] [--window 1,16] [--size 32] [--duration 5]
 *                         [--warmup 1] [--repeat 2] [--threads 1]
 *
 * Prints, per cell, each side's msgs/s (median of the repeats), p50/p99 round trip, server CPU
 * (cores) and msgs per server CPU-second, the loadgen's CPU headroom, and Sprocket/ws ratios.
 */
import { coresBetween, startServerChild, type CpuSample, type ServerChild } from './lib/child.js'
import { ensureLoadgen, runLoadgen, type EchoResult } from './lib/loadgen.js'
import { fmtInt, fmtMs, fmtPct, fmtRatio, intList, median, parseFlags, printTable, saveResults, waitFor } from './lib/report.js'

type Run = EchoResult & { side: string; serverCores: number }

const flags = parseFlags(process.argv.slice(2))
const connsList = intList(flags.get('conns'), [100, 1000])
const windows = intList(flags.get('window'), [1, 16])
const size = Number(flags.get('size') ?? 32)
const durationS = Number(flags.get('duration') ?? 5)
const warmupS = Number(flags.get('warmup') ?? 1)
const repeat = Number(flags.get('repeat') ?? 2)
const threads = Number(flags.get('threads') ?? 1)

async function measure(server: ServerChild, conns: number, window: number): Promise<Run> {
  const run = runLoadgen<EchoResult>([
    'echo', '--port', String(server.port), '--path', '/echo', '--conns', String(conns),
    '--window', String(window), '--size', String(size), '--duration', String(durationS),
    '--warmup', String(warmupS), '--threads', String(threads),
  ])
  await run.ready
  // The loadgen measures from the end of its warmup; sample the server's CPU over the same window.
  const before = new Promise<CpuSample>((resolve, reject) =>
    setTimeout(() => server.call<CpuSample>('cpu').then(resolve, reject), warmupS * 1000),
  )
  const result = await run.result
  const after = await server.call<CpuSample>('cpu')
  await waitFor(async () => (await server.call<number>('connections')) === 0, 10_000)
  return { ...result, side: server.name, serverCores: coresBetween(await before, after) }
}

ensureLoadgen()
const sides = [await startServerChild('sprocket', 'sprocket-echo'), await startServerChild('ws', 'ws-echo')]
const runs: Run[] = []
try {
  for (const conns of connsList) {
    for (const window of windows) {
      for (let r = 0; r < repeat; r++) {
        // Alternate which side goes first so drift on a shared machine hits both alike.
        const order = r % 2 === 0 ? sides : [...sides].reverse()
        for (const side of order) {
          const result = await measure(side, conns, window)
          runs.push(result)
          console.error(
            `${side.name} conns=${conns} window=${window} run ${r + 1}: ${fmtInt(result.msgs_per_s)} msgs/s, p99 ${fmtMs(result.rtt_p99_us)} ms` +
              (result.failed || result.closed_during_run ? ` (failed ${result.failed}, closed ${result.closed_during_run})` : ''),
          )
        }
      }
    }
  }
} finally {
  await Promise.all(sides.map((side) => side.stop()))
}

const rows: string[][] = [[
  'conns x window', 'side', 'msgs/s (runs)', 'msgs/s', 'p50 ms', 'p99 ms', 'server cores', 'msgs/CPU-s', 'loadgen headroom', 'ratio msgs/s', 'ratio msgs/CPU-s',
]]
for (const conns of connsList) {
  for (const window of windows) {
    const cell = runs.filter((run) => run.conns === conns && run.window === window)
    const stats = (side: string) => {
      const mine = cell.filter((run) => run.side === side)
      return {
        runs: mine.map((run) => fmtInt(run.msgs_per_s)).join(' / '),
        rate: median(mine.map((run) => run.msgs_per_s)),
        p50: median(mine.map((run) => run.rtt_p50_us)),
        p99: median(mine.map((run) => run.rtt_p99_us)),
        cores: median(mine.map((run) => run.serverCores)),
        perCpu: median(mine.map((run) => run.msgs_per_s / run.serverCores)),
        headroom: Math.min(...mine.map((run) => run.cpu_headroom)),
      }
    }
    const sprocket = stats('sprocket')
    const ws = stats('ws')
    for (const [name, s] of [['sprocket', sprocket], ['ws', ws]] as const) {
      rows.push([
        `${conns} x ${window}`, name, s.runs, fmtInt(s.rate), fmtMs(s.p50), fmtMs(s.p99), s.cores.toFixed(2), fmtInt(s.perCpu), fmtPct(s.headroom),
        name === 'sprocket' ? fmtRatio(sprocket.rate / ws.rate) : '',
        name === 'sprocket' ? fmtRatio(sprocket.perCpu / ws.perCpu) : '',
      ])
    }
  }
}
console.log(`\necho bench: ${size}-byte text messages, ${durationS}s per run after ${warmupS}s warmup, ${repeat} runs per side per cell (median shown)`)
printTable(rows)
console.log('\nratio = Sprocket / bare ws (target >= 0.95); loadgen headroom = lowest over the runs (1 - loadgen cores / loadgen threads)')
console.log(`raw runs: ${saveResults('echo', { size, durationS, warmupS, repeat, threads, runs })}`)
