/** Public entry point of `engine/`: `createEngine()`, the one place that chooses between engines. */
import { resolve } from 'node:path'
import { type HandlerErrorReporter } from './local/local-fanout.js'
import { createMemoryEngine } from './memory/memory-engine.js'
import { type EngineOptionsInput, engineOptionsSchema, sqliteEngineDefaults } from './options.js'
import { createSqliteEngine } from './sqlite/sqlite-engine.js'
import type { Logger } from '../logger.js'
import type { Engine } from './types.js'

export type EngineContext = {
  /** Where durable engines keep their files (`<dataDir>/sprocket.db`). */
  dataDir: string
  /**
   * Receives what the hub's handler threw while an event was delivered. Default: logged at error
   * through `logger` when one is given, else a process warning.
   */
  onHandlerError?: HandlerErrorReporter
  /** Where the handler's failures are logged (`engine event handler failed`, with `err` and `event`). */
  logger?: Logger
}

function logHandlerErrors(logger: Logger): HandlerErrorReporter {
  return (error, event) => logger.error({ err: error, event }, 'engine event handler failed')
}

/**
 * Builds the engine the config asks for: the only place that chooses between engines.
 * `config` is the `engine` config section, raw or already parsed (defaults apply either way).
 * Async because the Redis engine is imported only when chosen, so a node on sqlite or memory
 * never loads ioredis.
 */
export async function createEngine(config: EngineOptionsInput | undefined, context: EngineContext): Promise<Engine> {
  const options = engineOptionsSchema.parse(config ?? {})
  const onHandlerError = context.onHandlerError ?? (context.logger === undefined ? undefined : logHandlerErrors(context.logger))
  switch (options.type) {
    case 'memory':
      return createMemoryEngine({ ...options.memory, ...(onHandlerError && { onHandlerError }) })
    case 'sqlite': {
      const { file, groupCommit, ...rest } = options.sqlite
      return createSqliteEngine({
        ...rest,
        file: resolve(context.dataDir, file ?? sqliteEngineDefaults.file),
        maxBatch: groupCommit.maxBatch,
        ...(onHandlerError && { onHandlerError }),
      })
    }
    case 'redis': {
      const { createRedisEngine } = await import('./redis/redis-engine.js')
      return createRedisEngine({
        ...options.redis,
        ...(onHandlerError && { onHandlerError }),
        ...(context.logger && { logger: context.logger }),
      })
    }
    default: {
      const _: never = options.type
      throw new Error(`unknown engine type ${String(_)}`)
    }
  }
}

export {
  DEFAULT_IDEMPOTENCY_WINDOW_MS,
  engineDefaults,
  engineOptionsSchema,
  memoryEngineDefaults,
  redisEngineDefaults,
  sqliteEngineDefaults,
  type EngineOptions,
  type EngineOptionsInput,
} from './options.js'
export { EngineClosedError } from './local/local-node-engine.js'
export { DataFileInUseError, EngineUnavailableError } from './engine-errors.js'
/** Types only: importing them loads nothing (ioredis is loaded by `createEngine` when chosen). */
export type { RedisEngine, RedisEngineOptions, RedisEngineStats } from './redis/redis-engine.js'
export { MemoryEngine, createMemoryEngine, type MemoryEngineOptions, type MemoryEngineStats } from './memory/memory-engine.js'
export { SqliteEngine, createSqliteEngine, type SqliteEngineOptions, type SqliteEngineStats } from './sqlite/sqlite-engine.js'
export type * from './types.js'
