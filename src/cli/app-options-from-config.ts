/** Maps the config onto `App` options (TLS files read here, so a bad path fails at start-up). */
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
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
    ...(config.limits.maxConnections !== undefined && { maxConnections: config.limits.maxConnections }),
    maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
    handshakesPerSecondPerAddress: config.limits.handshakesPerSecondPerAddress,
    trustedProxies: config.trustedProxies,
    keepaliveIntervalMs: config.keepalive.intervalMs,
    compression: { ...config.compression },
  }
  if (config.tls !== undefined) options.tls = readTls(config.tls)
  return options
}

/** Reads the PEM files and checks that they make a certificate and its key, so a bad pair fails here in one line. */
function readTls(paths: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const tls = { cert: readPem(paths.cert, 'tls.cert'), key: readPem(paths.key, 'tls.key') }
  try {
    createSecureContext(tls)
  } catch (error) {
    const reason = `${paths.cert} and ${paths.key} are not a PEM certificate and its private key (${(error as Error).message})`
    throw new ConfigError([{ path: 'tls', reason }])
  }
  return tls
}

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new ConfigError([{ path: field, reason: `cannot read ${path} (${code})` }])
  }
}
