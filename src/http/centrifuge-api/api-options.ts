/** The `api` config section (the Centrifugo-compatible server API). */
import { z } from 'zod'

/** Defaults of the `api` section, written once: the schema and `mountServerApi` read them. */
export const apiDefaults = {
  maxBodyBytes: 1024 * 1024,
  maxBatchCommands: 1000,
  maxBatchReplyBytes: 4 * 1024 * 1024,
} as const

/** Default cap on a server API request body: 1 MiB. */
export const DEFAULT_API_MAX_BODY_BYTES = apiDefaults.maxBodyBytes

/**
 * The `api` section of the config: the server HTTP API at `POST /api/<method>`.
 * Without `key` the API is disabled (every call answers 404 with a JSON explanation).
 */
export const apiOptionsSchema = z
  .object({
    /** Shared secret that backends send as `X-API-Key` (env `SPROCKET_API_KEY`). */
    key: z.string().min(1, 'must not be empty').optional(),
    /** Requests with a larger body are refused with 413. */
    maxBodyBytes: z.number().int().positive().default(apiDefaults.maxBodyBytes),
    /** A `batch` with more commands is refused whole with 106. */
    maxBatchCommands: z.number().int().positive().default(apiDefaults.maxBatchCommands),
    /** Once a `batch`'s replies reach this many bytes, its remaining commands are answered 106 without running. */
    maxBatchReplyBytes: z.number().int().positive().default(apiDefaults.maxBatchReplyBytes),
  })
  .strict()

export type ApiOptions = z.output<typeof apiOptionsSchema>
