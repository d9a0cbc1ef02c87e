/** How long an idempotency key is remembered when a publish carries one but no window (5 minutes). */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000
