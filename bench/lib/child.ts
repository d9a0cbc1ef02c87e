import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** CPU a server child used, as `process.cpuUsage()` plus a timestamp. */
export type CpuSample = { userUs: number; systemUs: number; atMs: number }

/** A benchmark server running in its own Node process, driven over IPC. */
export type ServerChild = {
  readonly name: string
  readonly port: number
  call<T>(command: string, args?: unknown): Promise<T>
  stop(): Promise<void>
}

type Reply = { id: number; result?: unknown; error?: string }

/**
 * Forks `bench/lib/servers/<script>.ts` (run through tsx) with `options` as its argument and waits
 * for it to listen. The child answers commands sent with `call` (see `serveChild`).
 */
export async function startServerChild(name: string, script: string, options: Record<string, unknown> = {}): Promise<ServerChild> {
  const path = fileURLToPath(new URL(`./servers/${script}.ts`, import.meta.url))
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every server process there when it stops.
  const profileDir = process.env.BENCH_CPU_PROF
  const child: ChildProcess = fork(path, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 1
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code} before listening`)))
    child.on('message', (message: { type?: string; port?: number } & Partial<Reply>) => {
      if (message.type === 'listening' && typeof message.port === 'number') return resolve(message.port)
      if (typeof message.id !== 'number') return
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(`${name}: ${message.error}`))
      else waiter?.resolve(message.result)
    })
  })
  child.removeAllListeners('exit')
  child.on('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${name} server exited`))
    pending.clear()
  })
  return {
    name,
    port,
    call<T>(command: string, args?: unknown): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
        child.send({ id, command, args })
      })
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.send({ id: 0, command: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Server CPU between two samples, in cores. */
export function coresBetween(before: CpuSample, after: CpuSample): number {
  const cpuUs = after.userUs + after.systemUs - before.userUs - before.systemUs
  const wallUs = (after.atMs - before.atMs) * 1000
  return wallUs > 0 ? cpuUs / wallUs : 0
}
