/** `sprocket serve`: flags → config → server, then waits for a signal to shut down gracefully. */
import { ConfigError, convertText, loadConfig, shutdownDrainDelayMs, unknownEnvVariables, type EnvKind, type Override } from '../config/index.js'
import { ExitStatus, StartupError, type Command } from './command.js'
import { createLogger } from './logger.js'
import { parseFlags } from './parse-flags.js'
import { waitForShutdown } from './shutdown.js'
import { reloadTlsOnSignal } from './tls-reload.js'

/** `serve` flags that set a config field; `--config` names the file instead. */
const flagBindings: readonly { flag: string; path: string; kind: EnvKind }[] = [
  { flag: 'host', path: 'host', kind: 'string' },
  { flag: 'port', path: 'port', kind: 'number' },
  { flag: 'data-dir', path: 'dataDir', kind: 'string' },
  { flag: 'log-level', path: 'logLevel', kind: 'string' },
  { flag: 'engine', path: 'engine.type', kind: 'string' },
  { flag: 'redis-url', path: 'engine.redis.url', kind: 'string' },
]

const serveFlags = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  engine: { type: 'string' },
  'redis-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const usage = `Usage: sprocket serve [options]

Runs the server on one port: the chat page at /, the native protocol at
/connection/websocket, the server API at /api/*, echo at /echo, /healthz,
/readyz and /metrics.

Options:
  -c, --config FILE      JSON config file (default: $SPROCKET_CONFIG, else none)
      --host HOST        interface to bind (default 0.0.0.0)
  -p, --port PORT        port to listen on; 0 picks a free one (default 8080)
      --data-dir DIR     where durable state is kept (default ./data)
      --log-level LEVEL  fatal, error, warn, info, debug, trace or silent (default info)
      --engine TYPE      sqlite, memory or redis (default sqlite)
      --redis-url URL    the redis engine's Redis (default redis://127.0.0.1:6379)
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
    const overrides: Override[] = []
    for (const binding of flagBindings) {
      const text = flags[binding.flag as keyof typeof flags]
      if (typeof text === 'string') overrides.push({ path: binding.path, value: convertText(text, binding.kind), source: `--${binding.flag}` })
    }
    const config = loadConfig({ ...(flags.config !== undefined && { configPath: flags.config }), flags: overrides })
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
