/** The `engine` config section. */
import { z } from 'zod'

/**
 * The `engine` section of the config. Every field has a default, so `{}` (or no section) gives
 * the standard setup: SQLite history in `<dataDir>/sprocket.db`.
 */
export const engineOptionsSchema = z
  .object({
    /** `sqlite`: one node, durable history (the default). `memory`: one node, nothing stored. */
    type: z.enum(['sqlite', 'memory']).default('sqlite'),
    memory: z
      .object({
        /** How often expired history, idempotency keys, idle streams and presence are freed. */
        sweepIntervalMs: z.number().int().min(10).default(1_000),
        /** How long an idle stream published without a history TTL keeps its offset and epoch. */
        idleStreamTtlMs: z.number().int().min(0).default(3_600_000),
        /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
        historyMetaTtlMs: z.number().int().min(0).default(2_592_000_000),
        /** Idempotency keys remembered per channel at most. */
        maxIdempotencyKeys: z.number().int().min(1).default(10_000),
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
        synchronous: z.enum(['normal', 'full']).default('normal'),
        groupCommit: z
          .object({
            /** Most publishes written in one transaction; 1 commits each publish on its own. */
            maxBatch: z.number().int().min(1).default(10_000),
          })
          .strict()
          .prefault({}),
        /** How often expired publications, idempotency keys, idle streams and presence are deleted. */
        sweepIntervalMs: z.number().int().min(10).default(1_000),
        /** How long an idle stream published without a history TTL keeps its offset and epoch. */
        idleStreamTtlMs: z.number().int().min(0).default(3_600_000),
        /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
        historyMetaTtlMs: z.number().int().min(0).default(2_592_000_000),
        /** Caps the database file; publishes that would grow it further fail. Default: no cap. */
        maxFileBytes: z.number().int().min(65_536).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()

/** The section as written in a config file (everything optional). */
export type EngineOptionsInput = z.input<typeof engineOptionsSchema>
/** The section after defaults were applied. */
export type EngineOptions = z.output<typeof engineOptionsSchema>
