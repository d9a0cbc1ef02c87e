/** The `engine` config section. */
import { z } from 'zod'

/** What both one-node engines keep about idle streams, and how often they sweep. */
const streamDefaults = {
  sweepIntervalMs: 1_000,
  idleStreamTtlMs: 3_600_000,
  /** 30 days, Centrifugo's `history_meta_ttl`. */
  historyMetaTtlMs: 2_592_000_000,
} as const

/**
 * Defaults of the engines' options — the one place they are written: the `engine` config section
 * and the engine constructors (`createMemoryEngine`, `createSqliteEngine`) both read them. Listed
 * in docs/config.md.
 */
export const memoryEngineDefaults = {
  ...streamDefaults,
  maxIdempotencyKeys: 10_000,
} as const

/** See `memoryEngineDefaults`. */
export const sqliteEngineDefaults = {
  ...streamDefaults,
  synchronous: 'normal',
  maxBatch: 10_000,
  busyTimeoutMs: 1_000,
  /** 1 GiB: a cap, so clients publishing cannot fill the disk the chat and the logs share. */
  maxFileBytes: 1024 * 1024 * 1024,
  /** The database file's name in the data dir when `sqlite.file` is not set. */
  file: 'sprocket.db',
} as const

/** See `memoryEngineDefaults`. */
export const redisEngineDefaults = {
  idleStreamTtlMs: streamDefaults.idleStreamTtlMs,
  historyMetaTtlMs: streamDefaults.historyMetaTtlMs,
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'sprocket',
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 5_000,
  maxPipelineCommands: 512,
  gapFillLimit: 1_000,
} as const

/**
 * How long an idempotency key is remembered when a publish carries one but no window (5 minutes).
 * The hub's `channels.idempotencyWindowMs` defaults to it too.
 */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000

/** The whole `engine` section's defaults. */
export const engineDefaults = {
  type: 'sqlite',
  memory: memoryEngineDefaults,
  sqlite: sqliteEngineDefaults,
  redis: redisEngineDefaults,
} as const

/**
 * The `engine` section of the config. Every field has a default, so `{}` (or no section) gives
 * the standard setup: SQLite history in `<dataDir>/sprocket.db`.
 */
export const engineOptionsSchema = z
  .object({
    /**
     * `sqlite`: one node, durable history (the default). `memory`: one node, nothing stored.
     * `redis`: several nodes on one Redis (history, presence and fan-out shared).
     */
    type: z.enum(['sqlite', 'memory', 'redis']).default(engineDefaults.type),
    memory: z
      .object({
        /** How often expired history, idempotency keys, idle streams and presence are freed. */
        sweepIntervalMs: z.number().int().min(10).default(memoryEngineDefaults.sweepIntervalMs),
        /** How long an idle stream published without a history TTL keeps its offset and epoch. */
        idleStreamTtlMs: z.number().int().min(0).default(memoryEngineDefaults.idleStreamTtlMs),
        /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
        historyMetaTtlMs: z.number().int().min(0).default(memoryEngineDefaults.historyMetaTtlMs),
        /** Idempotency keys remembered per channel at most. */
        maxIdempotencyKeys: z.number().int().min(1).default(memoryEngineDefaults.maxIdempotencyKeys),
      })
      .strict()
      .prefault({}),
    sqlite: z
      .object({
        /** The database file; relative paths resolve against the data dir. Default `<dataDir>/sprocket.db`. */
        file: z.string().min(1).optional(),
        /**
         * `normal` (default): with WAL, a committed publish survives a crash of the process
         * (kill -9) but not a power loss or OS crash. `full`: fsync on every commit (one per group
         * commit batch), survives power loss too, at a throughput cost.
         */
        synchronous: z.enum(['normal', 'full']).default(sqliteEngineDefaults.synchronous),
        groupCommit: z
          .object({
            /** Most publishes written in one transaction; 1 commits each publish on its own. */
            maxBatch: z.number().int().min(1).default(sqliteEngineDefaults.maxBatch),
          })
          .strict()
          .prefault({}),
        /** How often expired publications, idempotency keys, idle streams and presence are deleted. */
        sweepIntervalMs: z.number().int().min(10).default(sqliteEngineDefaults.sweepIntervalMs),
        /** How long an idle stream published without a history TTL keeps its offset and epoch. */
        idleStreamTtlMs: z.number().int().min(0).default(sqliteEngineDefaults.idleStreamTtlMs),
        /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
        historyMetaTtlMs: z.number().int().min(0).default(sqliteEngineDefaults.historyMetaTtlMs),
        /** Caps the database file; publishes that would grow it further fail as the engine unavailable. */
        maxFileBytes: z.number().int().min(65_536).default(sqliteEngineDefaults.maxFileBytes),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
        url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default(redisEngineDefaults.url),
        /** Prefix of every key and pub/sub channel, so several deployments can share one Redis. */
        keyPrefix: z.string().min(1).default(redisEngineDefaults.keyPrefix),
        /** How long startup waits for Redis (retrying) before it fails. */
        connectTimeoutMs: z.number().int().min(100).default(redisEngineDefaults.connectTimeoutMs),
        /** A command without a reply after this long fails as `unavailable`. */
        commandTimeoutMs: z.number().int().min(10).default(redisEngineDefaults.commandTimeoutMs),
        /** Most commands sent in one pipeline (one round trip) on the publish path. */
        maxPipelineCommands: z.number().int().min(1).default(redisEngineDefaults.maxPipelineCommands),
        /** Most publications read per channel to fill a node's gap after Redis comes back; longer gaps make subscribers recover. */
        gapFillLimit: z.number().int().min(1).default(redisEngineDefaults.gapFillLimit),
        /** How long an idle stream published without a history TTL keeps its offset and epoch. */
        idleStreamTtlMs: z.number().int().min(1).default(redisEngineDefaults.idleStreamTtlMs),
        /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
        historyMetaTtlMs: z.number().int().min(1).default(redisEngineDefaults.historyMetaTtlMs),
      })
      .strict()
      .prefault({}),
  })
  .strict()

/** The section as written in a config file (everything optional). */
export type EngineOptionsInput = z.input<typeof engineOptionsSchema>
/** The section after defaults were applied. */
export type EngineOptions = z.output<typeof engineOptionsSchema>
