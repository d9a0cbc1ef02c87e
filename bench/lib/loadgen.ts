import { spawn, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const loadgenDir = fileURLToPath(new URL('../loadgen/', import.meta.url))
const binaryPath = `${loadgenDir}loadgen`
const sources = ['loadgen.c', 'ws.c', 'ws.h', 'hist.c', 'hist.h']

/** The loadgen's progress line once every connection is open or failed. */
export type LoadgenReady = { event: 'ready'; opened: number; failed: number; connect_s: number }

/** Fields common to both modes of the loadgen's stdout JSON (see bench/loadgen/loadgen.c). */
export type LoadgenCommon = {
  conns: number
  opened: number
  failed: number
  closed_during_run: number
  threads: number
  wall_s: number
  cpu_s: number
  /** CPU the generator itself used over the measured window, in cores. */
  cpu_cores: number
  /** 1 - cpu_cores / threads: how far the generator was from saturating its threads. */
  cpu_headroom: number
  bad_msgs: number
}

export type EchoResult = LoadgenCommon & {
  mode: 'echo'
  window: number
  size: number
  msgs: number
  msgs_per_s: number
  rtt_p50_us: number
  rtt_p99_us: number
}

export type SubscribeResult = LoadgenCommon & {
  mode: 'subscribe'
  deliveries: number
  seqs_complete: number
  span_s: number
  deliveries_per_s: number
  delivery_p50_us: number
  delivery_p99_us: number
  last_delivery_count: number
  last_delivery_p50_us: number
  last_delivery_p99_us: number
}

/** Builds bench/loadgen/loadgen when it is missing or older than its sources; returns its path. */
export function ensureLoadgen(): string {
  const built = existsSync(binaryPath) ? statSync(binaryPath).mtimeMs : 0
  const newest = Math.max(...sources.map((file) => statSync(`${loadgenDir}${file}`).mtimeMs))
  if (built < newest) {
    const result = spawnSync('sh', [`${loadgenDir}build.sh`], { stdio: 'inherit' })
    if (result.status !== 0) throw new Error('building the loadgen failed (needs a C compiler: cc)')
  }
  return binaryPath
}

/** A running loadgen: `ready` once its connections are up, `result` when it exits. */
export type LoadgenRun<R> = {
  ready: Promise<LoadgenReady>
  result: Promise<R>
  /** Ends a `subscribe` run (SIGTERM); the result follows. */
  stop(): void
}

export function runLoadgen<R extends EchoResult | SubscribeResult>(args: readonly string[]): LoadgenRun<R> {
  const child = spawn(ensureLoadgen(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let resolveReady!: (ready: LoadgenReady) => void
  let rejectReady!: (error: Error) => void
  const ready = new Promise<LoadgenReady>((resolve, reject) => {
    resolveReady = resolve
    rejectReady = reject
  })
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    for (const line of chunk.split('\n')) {
      if (line.startsWith('{"event":"ready"')) resolveReady(JSON.parse(line) as LoadgenReady)
    }
  })
  const result = new Promise<R>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => {
      rejectReady(new Error(`loadgen exited before its connections were ready: ${stderr.trim()}`))
      if (code !== 0) return reject(new Error(`loadgen exited with ${code}: ${stderr.trim()}`))
      try {
        resolve(JSON.parse(stdout) as R)
      } catch {
        reject(new Error(`loadgen printed no result: ${stdout} ${stderr}`))
      }
    })
  })
  ready.catch(() => {})
  return { ready, result, stop: () => child.kill('SIGTERM') }
}
