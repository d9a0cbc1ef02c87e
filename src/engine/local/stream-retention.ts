/**
 * How long a one-node engine's stream remembers what is not history: its meta (top offset and
 * epoch). Shared by the memory and SQLite engines so both keep the same. (The idempotency window's
 * default is `DEFAULT_IDEMPOTENCY_WINDOW_MS` in `engine/options.ts`.)
 */

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
