/**
 * How long a one-node engine's stream remembers what is not history: its meta (top offset and
 * epoch) and its idempotency keys. Shared by the memory and SQLite engines so both keep the same.
 */

/** How long an idempotency key is remembered when a publish carries one but no window (5 minutes). */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 300_000

/**
 * How long an idle stream keeps its meta (top offset and epoch) after its last publish, before an
 * engine may forget it and start a new epoch. With history, the meta outlives the data (as
 * Centrifugo's `history_meta_ttl`): at least `historyMetaTtlMs`, and never less than the history
 * TTL, so a quiet channel whose publications expired keeps its position and its subscribers keep
 * theirs. Without history, `idleStreamTtlMs`.
 */
export function streamMetaTtlMs(historyTtlMs: number, ttls: { historyMetaTtlMs: number; idleStreamTtlMs: number }): number {
  return historyTtlMs > 0 ? Math.max(historyTtlMs, ttls.historyMetaTtlMs) : ttls.idleStreamTtlMs
}
