/**
 * Redis for tests: the machine's server (`REDIS_URL`, default redis://127.0.0.1:6379) and
 * private `redis-server` processes on free ports that a test may stop and restart. Without
 * Redis a test skips with a message on a laptop; with `CI=true` it fails instead.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `sprocket-test.${label}.${randomUUID().slice(0, 8)}`
}

/**
 * `false` when Redis answers PING at `url`; otherwise the skip message for `test(..., { skip })`.
 * With `CI=true` an unreachable Redis throws, so the test file fails instead of skipping.
 */
export async function redisSkip(url = redisUrl): Promise<false | string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return false
  } catch (error) {
    const message = `no Redis at ${url} (${(error as Error).message}); set REDIS_URL`
    if (process.env.CI === 'true') throw new Error(message)
    return message
  } finally {
    client.disconnect()
  }
}

/** Deletes every key under `prefix` (tests clean up what they wrote). */
export async function deleteKeys(prefix: string, url = redisUrl): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 0 })
  client.on('error', () => undefined)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await client.del(...keys)
    } while (cursor !== '0')
  } finally {
    client.disconnect()
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** A `redis-server` of the test's own on a fixed port, which the test may stop and start again. */
export class RedisProcess {
  readonly port: number
  #args: string[]
  #child: ChildProcess | undefined

  constructor(port: number, extraArgs: string[] = []) {
    this.port = port
    // Its own working dir, so a replica's sync file never lands in the repository (a later `--dir` wins).
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-redis-'))
    this.#args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs]
  }

  /** A Redis Sentinel on `port`, run from `configFile` (which it rewrites as it learns). */
  static sentinel(port: number, configFile: string): RedisProcess {
    const process = new RedisProcess(port)
    process.#args = [configFile, '--sentinel', '--port', String(port), '--bind', '127.0.0.1', '--dir', tmpdir()]
    return process
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** Starts the server and resolves once it answers PING. */
  async start(): Promise<void> {
    const child = spawn('redis-server', this.#args, { stdio: 'ignore' })
    this.#child = child
    let spawnError: Error | undefined
    child.once('error', (error) => {
      spawnError = error
    })
    const deadline = Date.now() + 5_000
    for (;;) {
      if (spawnError !== undefined) throw new Error(`redis-server could not be started (${spawnError.message}); install it (.ci/run does)`)
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      client.on('error', () => undefined)
      try {
        await client.connect()
        await client.ping()
        return
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      } finally {
        client.disconnect()
      }
    }
  }

  /** Kills the server (SIGKILL: no save, no goodbye) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGKILL')
    await exited
    this.#child = undefined
  }
}
