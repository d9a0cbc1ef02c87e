/** Maps the config onto `App` options (TLS files read here, so a bad path fails at start-up). */
import { readFileSync } from 'node:fs'
import type { Registry } from 'prom-client'
import { ConfigError, type Config } from '../config/index.js'
import type { AppOptions } from '../server/app-options.js'
import type { Logger } from '../logger.js'

/** Maps the config onto `App` options; reads the TLS files (unreadable → `ConfigError`). */
export function appOptionsFromConfig(config: Config, logger: Logger, registry: Registry): AppOptions {
  const options: AppOptions = {
    host: config.host,
    port: config.port,
    logger,
    registry,
    maxMessageBytes: config.limits.maxMessageBytes,
    maxFragments: config.limits.maxFragments,
    maxBufferedBytes: config.limits.maxBufferedBytes,
    maxConnections: config.limits.maxConnections,
    keepaliveIntervalMs: config.keepalive.intervalMs,
    compression: { ...config.compression },
  }
  if (config.tls !== undefined) options.tls = { cert: readPem(config.tls.cert, 'tls.cert'), key: readPem(config.tls.key, 'tls.key') }
  return options
}

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new ConfigError([{ path: field, reason: `cannot read ${path} (${code})` }])
  }
}
