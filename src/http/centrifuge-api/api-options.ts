/** The `api` config section (the Centrifugo-compatible server API). */
import { z } from 'zod'

/** Default cap on a server API request body: 1 MiB. */
export const DEFAULT_API_MAX_BODY_BYTES = 1024 * 1024

/**
 * The `api` section of the config: the server HTTP API at `POST /api/<method>`.
 * Without `key` the API is disabled (every call answers 404 with a JSON explanation).
 */
export const apiOptionsSchema = z
  .object({
    /** Shared secret that backends send as `X-API-Key` (env `SPROCKET_API_KEY`). */
    key: z.string().min(1, 'must not be empty').optional(),
    /** Requests with a larger body are refused with 413. */
    maxBodyBytes: z.number().int().positive().default(DEFAULT_API_MAX_BODY_BYTES),
  })
  .strict()

export type ApiOptions = z.output<typeof apiOptionsSchema>
