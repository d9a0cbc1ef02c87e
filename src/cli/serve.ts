/** `sprocket serve`: flags → config → server, then waits for a signal to shut down gracefully. */
import cluster from 'node:cluster'
import { ConfigError, convertText, loadConfig, type EnvKind, type Override } from '../config/index.js'
import { ExitStatus, type Command } from './command.js'
import { createLogger } from './logger.js'
import { parseFlags } from './parse-flags.js'
import { waitForShutdown } from './shutdown.js'
import { parseWorkers, runPrimary } from './workers.js'

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
  workers: { type: 'string' },
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
      --workers N        run N node processes on one port (auto: one per core);
                         needs --engine redis
  -h, --help             show this help

Flags win over SPROCKET_* environment variables, which win over the config file.
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
    const workers = flags.workers === undefined ? 1 : parseWorkers(flags.workers)
    if (workers > 1 && cluster.isPrimary && config.engine.type !== 'redis') {
      process.stderr.write(
        `sprocket serve: --workers ${workers} runs ${workers} nodes, which must share their state: ` +
          `the ${config.engine.type} engine keeps it in one process. Use --engine redis --redis-url redis://HOST:6379, or drop --workers.\n`,
      )
      return ExitStatus.usage
    }
    const logger = createLogger(config.logLevel)
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
    // Leave the connections most of the budget, the hub and engine the rest.
    const connectionsTimeoutMs = Math.max(config.shutdownTimeoutMs - 1000, Math.floor(config.shutdownTimeoutMs / 2))
    const stopped = waitForShutdown({
      logger,
      timeoutMs: config.shutdownTimeoutMs,
      close: async () => (await starting).close(connectionsTimeoutMs),
    })
    try {
      await starting
    } catch (error) {
      if (error instanceof ConfigError) throw error
      logger.fatal({ err: error }, 'failed to start')
      return ExitStatus.failure
    }
    return stopped
  },
}
