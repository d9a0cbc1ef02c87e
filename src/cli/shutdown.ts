/** Graceful shutdown on SIGTERM/SIGINT with a deadline, and a second signal to exit at once. */
import { ExitStatus } from './command.js'
import type { Logger } from '../logger.js'

export type ShutdownOptions = {
  logger: Logger
  /** Graceful work allowed before giving up and exiting with status 1. */
  timeoutMs: number
  /** Stops accepting, closes connections (1001) and releases resources. */
  close: () => Promise<void>
  signals?: readonly NodeJS.Signals[]
}

/**
 * Resolves with the exit status once the process should exit: on the first SIGTERM/SIGINT it
 * runs `close` (0 when it finishes in time, 1 when it throws or overruns `timeoutMs`). A second
 * signal exits at once with status 1, for an operator who will not wait.
 */
export function waitForShutdown(options: ShutdownOptions): Promise<number> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const { logger } = options
  return new Promise((resolve) => {
    let closing = false
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        logger.warn({ signal }, 'second signal: exiting now')
        process.exit(ExitStatus.failure)
      }
      closing = true
      logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down')
      const timer = setTimeout(() => {
        logger.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out')
        resolve(ExitStatus.failure)
      }, options.timeoutMs)
      timer.unref()
      options.close().then(
        () => {
          clearTimeout(timer)
          logger.info({}, 'shut down')
          resolve(ExitStatus.ok)
        },
        (error: unknown) => {
          clearTimeout(timer)
          logger.error({ err: error }, 'shutdown failed')
          resolve(ExitStatus.failure)
        },
      )
    }
    for (const signal of signals) process.on(signal, onSignal)
  })
}
