/** How a variable's text becomes a config value. */
export type EnvKind = 'string' | 'number' | 'boolean' | 'list'

/** One `SPROCKET_*` variable and the config field it sets. */
export type EnvBinding = {
  name: string
  /** Dotted config path, e.g. `limits.maxMessageBytes`. */
  path: string
  kind: EnvKind
}

/**
 * Every environment variable Sprocket reads as configuration (besides `SPROCKET_CONFIG`, the
 * config file's path). A section declares its variables by adding rows here; a row whose
 * section is not in the schema is ignored. Listed in docs/config.md.
 */
export const envBindings: readonly EnvBinding[] = [
  { name: 'SPROCKET_HOST', path: 'host', kind: 'string' },
  { name: 'SPROCKET_PORT', path: 'port', kind: 'number' },
  { name: 'SPROCKET_DATA_DIR', path: 'dataDir', kind: 'string' },
  { name: 'SPROCKET_LOG_LEVEL', path: 'logLevel', kind: 'string' },
  { name: 'SPROCKET_ENGINE', path: 'engine.type', kind: 'string' },
  { name: 'SPROCKET_REDIS_URL', path: 'engine.redis.url', kind: 'string' },
  { name: 'SPROCKET_SHUTDOWN_TIMEOUT_MS', path: 'shutdownTimeoutMs', kind: 'number' },
  { name: 'SPROCKET_SHUTDOWN_DRAIN_DELAY_MS', path: 'shutdownDrainDelayMs', kind: 'number' },
  { name: 'SPROCKET_ALLOWED_ORIGINS', path: 'allowedOrigins', kind: 'list' },
  { name: 'SPROCKET_PUBLIC_HOSTS', path: 'publicHosts', kind: 'list' },
  { name: 'SPROCKET_TLS_CERT', path: 'tls.cert', kind: 'string' },
  { name: 'SPROCKET_TLS_KEY', path: 'tls.key', kind: 'string' },
  { name: 'SPROCKET_API_KEY', path: 'api.key', kind: 'string' },
  { name: 'SPROCKET_METRICS_TOKEN', path: 'metrics.token', kind: 'string' },
  { name: 'SPROCKET_METRICS_PORT', path: 'metrics.port', kind: 'number' },
  { name: 'SPROCKET_TOKEN_SECRET', path: 'client.tokenSecret', kind: 'string' },
  { name: 'SPROCKET_PUSHER_APP_ID', path: 'pusher.app.id', kind: 'string' },
  { name: 'SPROCKET_PUSHER_APP_KEY', path: 'pusher.app.key', kind: 'string' },
  { name: 'SPROCKET_PUSHER_APP_SECRET', path: 'pusher.app.secret', kind: 'string' },
  { name: 'SPROCKET_PUSHER_APP_CLIENT_MESSAGES', path: 'pusher.app.enableClientMessages', kind: 'boolean' },
]

/** The variable that names the config file. */
export const configFileEnvVar = 'SPROCKET_CONFIG'

/** The port hosting platforms (Heroku, Render, Cloud Run…) assign; read when `SPROCKET_PORT` is unset. */
export const platformPortEnvVar = 'PORT'
