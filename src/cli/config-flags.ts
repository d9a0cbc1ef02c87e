/**
 * The flags that set config fields, shared by `sprocket serve` and `sprocket config`: the same
 * command line that starts the server can be checked and printed first.
 */
import { convertText, type EnvKind, type Override } from '../config/index.js'

/** Flags that set a config field; `--config` names the file instead. */
const flagBindings: readonly { flag: string; path: string; kind: EnvKind }[] = [
  { flag: 'host', path: 'host', kind: 'string' },
  { flag: 'port', path: 'port', kind: 'number' },
  { flag: 'data-dir', path: 'dataDir', kind: 'string' },
  { flag: 'log-level', path: 'logLevel', kind: 'string' },
  { flag: 'engine', path: 'engine.type', kind: 'string' },
  { flag: 'redis-url', path: 'engine.redis.url', kind: 'string' },
]

/** The flags `parseFlags` reads for them. */
export const configFlags = {
  config: { type: 'string', short: 'c' },
  host: { type: 'string' },
  port: { type: 'string', short: 'p' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  engine: { type: 'string' },
  'redis-url': { type: 'string' },
} as const

/** Their lines of a command's usage text. */
export const configFlagsUsage = `  -c, --config FILE      JSON config file (default: $SPROCKET_CONFIG, else none)
      --host HOST        interface to bind (default 0.0.0.0)
  -p, --port PORT        port to listen on; 0 picks a free one (default 8080)
      --data-dir DIR     where durable state is kept (default ./data)
      --log-level LEVEL  fatal, error, warn, info, debug, trace or silent (default info)
      --engine TYPE      sqlite, memory or redis (default sqlite)
      --redis-url URL    the redis engine's Redis (default redis://127.0.0.1:6379)`

/** The overrides the parsed flags make, each naming its flag as the source. */
export function flagOverrides(flags: Readonly<Record<string, unknown>>): Override[] {
  const overrides: Override[] = []
  for (const binding of flagBindings) {
    const text = flags[binding.flag]
    if (typeof text === 'string') overrides.push({ path: binding.path, value: convertText(text, binding.kind), source: `--${binding.flag}` })
  }
  return overrides
}
