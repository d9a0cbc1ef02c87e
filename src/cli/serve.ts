/** `sprocket serve`: flags → config → server, then waits for a signal to shut down gracefully. */
import cluster from 'node:cluster'
import { ConfigError, loadConfig, shutdownDrainDelayMs, unknownEnvVariables } from '../config/index.js'
import { configFlags, configFlagsUsage, flagOverrides } from './config-flags.js'
import { ExitStatus, StartupError, type Command } from './command.js'
import { createLogger } from './logger.js'
import { parseFlags } from './parse-flags.js'
import { waitForShutdown } from './shutdown.js'
import { reloadTlsOnSignal } from './tls-reload.js'
import { parseWorkers, runPrimary } from './workers.js'

const serveFlags = { ...configFlags, workers: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const

const usage = `Usage: sprocket serve [options]

Runs the server on one port: the chat page at /, the native protocol at
/connection/websocket, the server API at /api/*, echo at /echo, /healthz,
/readyz and /metrics.

Options:
${configFlagsUsage}
      --workers N        run N node processes on one port (auto: one per core);
                         needs --engine redis
  -h, --help             show this help

Flags win over SPROCKET_* environment variables, which win over the config file. PORT is read
when SPROCKET_PORT is unset (hosting platforms set it).
Every field is described in docs/config.md.
`

/** `sprocket serve`: load the config, start the server, run until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the server',
  usage,
  async run(args) {
    const flags = parseFlags(args, serveFlags)
    if (flags.help === true) {
      process.stdout.write(usage)
      return ExitStatus.ok
    }
    const config = loadConfig({ ...(flags.config !== undefined && { configPath: flags.config }), flags: flagOverrides(flags) })
    const workers = flags.workers === undefined ? 1 : parseWorkers(flags.workers)
    if (workers > 1 && cluster.isPrimary && config.engine.type !== 'redis') {
      process.stderr.write(
        `sprocket serve: --workers ${workers} runs ${workers} nodes, which must share their state: ` +
          `the ${config.engine.type} engine keeps it in one process. Use --engine redis --redis-url redis://HOST:6379, or drop --workers.\n`,
      )
      return ExitStatus.usage
    }
    const logger = createLogger(config.logLevel)
    if (cluster.isPrimary) {
      for (const unknown of unknownEnvVariables(process.env)) {
        logger.warn({ variable: unknown.name, didYouMean: unknown.didYouMean }, 'unknown SPROCKET_ variable ignored')
      }
    }
    if (workers > 1 && cluster.isPrimary) return runPrimary({ workers, logger, shutdownTimeoutMs: config.shutdownTimeoutMs })
    // A worker whose primary is gone (killed) must not linger holding the port.
    if (cluster.isWorker) process.on('disconnect', () => process.exit(ExitStatus.failure))
    const failHard = (error: unknown) => {
      logger.fatal({ err: error }, 'uncaught error')
      process.exit(ExitStatus.failure)
    }
    process.on('uncaughtException', failHard)
    process.on('unhandledRejection', failHard)

    // Signals are handled from here on: one arriving while the server starts waits for the start,
    // then shuts down what was started. The server's modules load only now, so `--help` and
    // config errors answer without loading them.
    const starting = import('./start-server.js').then(({ startServer }) => startServer(config, logger))
    if (config.tls !== undefined) reloadTlsOnSignal(starting.then((server) => server.context.app), config.tls, logger)
    // After the drain delay, leave the connections most of the budget, the hub and engine the rest.
    const { shutdownTimeoutMs } = config
    const drainDelayMs = shutdownDrainDelayMs(config)
    const afterDrainMs = shutdownTimeoutMs - drainDelayMs
    const connectionsTimeoutMs = Math.max(afterDrainMs - 1000, Math.floor(afterDrainMs / 2))
    const stopped = waitForShutdown({
      logger,
      timeoutMs: shutdownTimeoutMs,
      close: async () => (await starting).close(connectionsTimeoutMs, drainDelayMs),
    })
    try {
      await starting
    } catch (error) {
      if (error instanceof ConfigError) throw error
      const { explainStartupFailure } = await import('./startup-failure.js')
      const explanation = explainStartupFailure(error, config)
      if (explanation === undefined) {
        logger.fatal({ err: error }, 'failed to start')
        return ExitStatus.failure
      }
      logger.fatal({ problem: explanation }, 'failed to start')
      throw new StartupError(explanation)
    }
    return stopped
  },
}
