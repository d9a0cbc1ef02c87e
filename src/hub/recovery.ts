/** Recovery: what a subscriber that comes back with a stream position gets from history. */
import type { Engine, HistoryResult, Publication, StreamPosition } from '../engine/types.js'

/** What a subscribe tells the client about its position (see centrifuge.md §13). */
export type RecoveryOutcome = {
  recovered: boolean
  /** Missed publications, oldest first; empty unless recovered. */
  publications: Publication[]
  /** The client's own position when recovered (it advances with each publication), else the top. */
  position: StreamPosition
  /** The stream top the outcome accounts for: live publications at or below it are not delivered. */
  top: StreamPosition
}

/**
 * Decides recovery from a history read made with `since` and `limit` (the recovery limit + 1).
 * No partial recovery: either every missed publication is there (same epoch, the oldest follows
 * `since.offset` directly, the newest is the top, no more than `limit - 1` of them), or none is
 * returned and the client is told `recovered: false` with the current top.
 * An empty `since.epoch` accepts any epoch.
 */
export function evaluateRecovery(since: StreamPosition, history: HistoryResult, limit: number): RecoveryOutcome {
  const top = { offset: history.offset, epoch: history.epoch }
  const notRecovered: RecoveryOutcome = { recovered: false, publications: [], position: top, top }
  if (since.epoch !== '' && since.epoch !== history.epoch) return notRecovered
  const pubs = history.publications
  const first = pubs[0]
  const last = pubs[pubs.length - 1]
  if (first === undefined || last === undefined) {
    return history.offset === since.offset ? { recovered: true, publications: [], position: top, top } : notRecovered
  }
  const complete = first.offset === since.offset + 1 && last.offset === history.offset && pubs.length < limit
  if (!complete) return notRecovered
  return { recovered: true, publications: pubs, position: { offset: since.offset, epoch: history.epoch }, top }
}

/**
 * Reads what a subscribe needs: with `since` on a recoverable channel, the missed publications
 * (up to `maxRecovered`); otherwise only the current top.
 */
export async function readSubscribePosition(
  engine: Engine,
  channel: string,
  since: StreamPosition | undefined,
  recoverable: boolean,
  maxRecovered: number,
): Promise<RecoveryOutcome> {
  if (since === undefined || !recoverable) {
    const current = await engine.history(channel, { limit: 0 })
    const top = { offset: current.offset, epoch: current.epoch }
    return { recovered: false, publications: [], position: top, top }
  }
  let epoch = since.epoch
  if (epoch === '') epoch = (await engine.history(channel, { limit: 0 })).epoch
  const limit = maxRecovered + 1
  const history = await engine.history(channel, { since: { offset: since.offset, epoch }, limit })
  return evaluateRecovery({ offset: since.offset, epoch: since.epoch }, history, limit)
}
