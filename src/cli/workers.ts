/**
 * `sprocket serve --workers N`: the primary process of N node processes sharing one port
 * (node:cluster). It serves nothing itself; it keeps N workers running and drains them on a signal.
 */
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { Logger } from '../logger.js'
import { ExitStatus, UsageError } from './command.js'

/** `--workers` text → a count: a positive integer, or `auto` (the number of cores). */
export function parseWorkers(text: string): number {
  if (text === 'auto') return availableParallelism()
  const count = Number(text)
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--workers: expected a positive integer or auto, got ${text}`)
  return count
}

export type PrimaryOptions = {
  workers: number
  logger: Logger
  /** How long the workers get to drain after SIGTERM/SIGINT before they are killed. */
  shutdownTimeoutMs: number
}

/**
 * Runs the primary: forks `workers` copies of this command (each a full node on the shared port),
 * starts a new one when one dies (after a pause that grows while workers keep dying young, so a
 * node that cannot start does not spin), and on SIGTERM/SIGINT sends SIGTERM to every worker and
 * waits for them (SIGKILL after `shutdownTimeoutMs`). Resolves with the exit status: 0 when every
 * worker drained in time, else 1.
 */
export function runPrimary({ workers, logger, shutdownTimeoutMs }: PrimaryOptions): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    let quickDeaths = 0
    const started = new Map<Worker, number>()
    const fork = (): void => {
      const worker = cluster.fork()
      started.set(worker, Date.now())
    }
    cluster.on('exit', (worker, code, signal) => {
      const aliveMs = Date.now() - (started.get(worker) ?? 0)
      started.delete(worker)
      if (stopping) {
        if (started.size === 0) {
          clearTimeout(killTimer)
          logger.info({}, 'workers stopped')
          resolve(drainedInTime ? ExitStatus.ok : ExitStatus.failure)
        }
        return
      }
      quickDeaths = aliveMs < 5_000 ? quickDeaths + 1 : 0
      const delayMs = Math.min(10_000, 250 * 2 ** Math.min(quickDeaths, 6))
      logger.warn({ pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'worker died; starting another')
      setTimeout(() => {
        if (!stopping) fork()
      }, delayMs)
    })
    let drainedInTime = true
    let killTimer: NodeJS.Timeout | undefined
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return
      stopping = true
      logger.info({ signal, workers: started.size }, 'stopping workers')
      if (started.size === 0) {
        resolve(ExitStatus.ok)
        return
      }
      for (const worker of started.keys()) worker.process.kill('SIGTERM')
      killTimer = setTimeout(() => {
        drainedInTime = false
        for (const worker of started.keys()) worker.process.kill('SIGKILL')
      }, shutdownTimeoutMs)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    logger.info({ workers }, 'starting workers')
    for (let i = 0; i < workers; i++) fork()
  })
}
