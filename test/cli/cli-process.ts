import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'

/** The repository root, so tests run the CLI the way `npm start` does, from any cwd. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const mainModule = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

/** Environment without the caller's SPROCKET_* variables, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SPROCKET_') && key !== 'PORT') env[key] = value
  return { ...env, ...extra }
}

export type Finished = { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export type SpawnOptions = {
  env?: Record<string, string>
  cwd?: string
  /** Module to run instead of src/cli/main.ts (a test fixture that wraps the CLI). */
  module?: string
  /** Runs the process under this open-file limit (`ulimit -n`). */
  openFileLimit?: number
}

/** tsx by its full address, so a child whose working directory is elsewhere still finds it. */
const tsxLoader = import.meta.resolve('tsx')

/** Spawns `sprocket <args>` from source (through tsx). */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const command = [process.execPath, '--import', tsxLoader, options.module ?? mainModule, ...args]
  if (options.openFileLimit !== undefined) command.unshift('sh', '-c', `ulimit -n ${options.openFileLimit} && exec "$@"`, 'sh')
  const [file = '', ...rest] = command
  return spawn(file, rest, {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Collects a child's output until it exits. */
export async function finished(child: ChildProcess): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [status, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  return { status, signal, stdout, stderr }
}

/** Runs `sprocket <args>` to completion. */
export function runCli(args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  return finished(spawnCli(args, options))
}

export type LogLine = { level: number; msg: string; [key: string]: unknown }

/**
 * A running `sprocket serve`: its JSON log lines as they arrive and the port it reported.
 * Always `stop()` it (in `after`/`finally`) so the test process can exit.
 */
export class ServeProcess {
  readonly child: ChildProcess
  readonly logs: LogLine[] = []
  readonly exited: Promise<Finished>
  #waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = []

  constructor(args: readonly string[], options: SpawnOptions = {}) {
    this.child = spawnCli(['serve', ...args], options)
    this.exited = finished(this.child)
    let pending = ''
    this.child.stdout?.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const text of lines) this.#onLine(text)
    })
  }

  /** Resolves with the first log line (past or future) that matches; rejects if the process exits first. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine> {
    const seen = this.logs.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      this.#waiters.push({ match, resolve })
      void this.exited.then((result) => reject(new Error(`sprocket exited (${result.status}) before the expected log line:\n${result.stderr}`)))
    })
  }

  /** The port from the `serving` log line. */
  async port(): Promise<number> {
    const line = await this.waitForLog((l) => l.msg === 'serving')
    return Number(line.port)
  }

  async stop(): Promise<Finished> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    return this.exited
  }

  #onLine(text: string): void {
    let line: LogLine
    try {
      line = JSON.parse(text) as LogLine
    } catch {
      return
    }
    this.logs.push(line)
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.match(line)) return true
      waiter.resolve(line)
      return false
    })
  }
}
