/** `sprocket serve`: flags → config → server, then waits for a signal to shut down gracefully. */
import { ConfigError, loadConfig, shutdownDrainDelayMs, unknownEnvVariables } from '../config/index.js'
import { configFlags, configFlagsUsage, flagOverrides } from './config-flags.js'
import { ExitStatus, StartupError, type Command } from './command.js'
import { createLogger } from './logger.js'
import { parseFlags } from './parse-flags.js'
import { waitForShutdown } from './shutdown.js'
import { reloadTlsOnSignal } from './tls-reload.js'

const serveFlags = { ...configFlags, help: { type: 'boolean', short: 'h' } } as const

const usage = `Usage: sprocket serve [options]

Runs the server on one port: the chat page at /, the native protocol at
/connection/websocket, the server API at /api/*, echo at /echo, /healthz,
/readyz and /metrics.

Options:
${configFlagsUsage}
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
    const logger = createLogger(config.logLevel)
    for (const unknown of unknownEnvVariables(process.env)) {
      logger.warn({ variable: unknown.name, didYouMean: unknown.didYouMean }, 'unknown SPROCKET_ variable ignored')
    }
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
