/** The config file of a `sprocket serve` node on the redis engine, as the multi-node tests run it. */
import { writeFileSync } from 'node:fs'

export type RedisNodeConfig = {
  apiKey: string
  tokenSecret: string
  /** The `engine.redis` section (key prefix, URL, timeouts). */
  redis: Record<string, unknown>
  namespaces: Record<string, Record<string, unknown>>
}

/** Writes the config to `file` (API and token keys set, chat off, any origin) and returns `file`. */
export function writeRedisNodeConfig(file: string, config: RedisNodeConfig): string {
  writeFileSync(
    file,
    JSON.stringify({
      host: '127.0.0.1',
      api: { key: config.apiKey },
      client: { tokenSecret: config.tokenSecret },
      chat: { enabled: false },
      allowedOrigins: ['*'],
      engine: { type: 'redis', redis: config.redis },
      channels: { namespaces: config.namespaces },
    }),
  )
  return file
}
