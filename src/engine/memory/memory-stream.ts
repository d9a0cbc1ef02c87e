/** One channel's history in memory: offsets, trimming by size and TTL, idempotency keys. */
import type { HistoryQuery, Publication } from '../types.js'

type Entry = { publication: Publication; expiresAtMs: number }
type KeyEntry = { offset: number; expiresAtMs: number }

/** Compact the entry array once this many trimmed slots sit at its front. */
const COMPACT_AFTER = 1024

/**
 * One channel's stream in memory: its position (top offset, epoch), its history trimmed by size
 * and TTL, and the idempotency keys seen within their window.
 *
 * History is an array with a moving start index (amortised O(1) trimming from the front,
 * compacted now and then). Offsets in it are increasing but may skip: a publish with
 * `historySize: 0` advances the offset without storing anything.
 */
export class MemoryStream {
  readonly epoch: string
  top = 0
  /** When the stream was last written; with `idleTtlMs`, decides when the whole stream may go. */
  lastWriteMs: number
  /** How long the stream may stay idle and empty before it is forgotten (new epoch next time). */
  idleTtlMs: number
  #entries: Entry[] = []
  #start = 0
  readonly #keys = new Map<string, KeyEntry>()
  readonly #maxKeys: number

  constructor(epoch: string, nowMs: number, idleTtlMs: number, maxKeys: number) {
    this.epoch = epoch
    this.lastWriteMs = nowMs
    this.idleTtlMs = idleTtlMs
    this.#maxKeys = maxKeys
  }

  get size(): number {
    return this.#entries.length - this.#start
  }

  /** Stores the publication (if the options keep history) and trims to `historySize`. */
  append(publication: Publication, historySize: number, historyTtlMs: number, nowMs: number): void {
    if (historySize > 0 && historyTtlMs > 0) {
      this.#entries.push({ publication, expiresAtMs: nowMs + historyTtlMs })
    }
    const excess = this.size - historySize
    if (excess > 0) this.#start += excess
    this.trimExpired(nowMs)
  }

  /** Drops expired publications from the front (where the oldest are) and compacts. */
  trimExpired(nowMs: number): void {
    const entries = this.#entries
    while (this.#start < entries.length && entries[this.#start]!.expiresAtMs <= nowMs) this.#start++
    if (this.#start === entries.length) {
      this.#entries = []
      this.#start = 0
    } else if (this.#start >= COMPACT_AFTER && this.#start * 2 >= entries.length) {
      this.#entries = entries.slice(this.#start)
      this.#start = 0
    }
  }

  clear(): void {
    this.#entries = []
    this.#start = 0
  }

  /** Publications selected, ordered and limited as `HistoryQuery` says (its epoch is checked by the caller). */
  read(query: HistoryQuery, nowMs: number): Publication[] {
    const limit = Math.max(0, query.limit)
    const out: Publication[] = []
    if (limit === 0) return out
    const entries = this.#entries
    const since = query.since?.offset
    if (query.reverse === true) {
      // Backwards from just below `since`: entries before the first one at or above it.
      const end = since === undefined ? entries.length : this.#firstAfter(since - 1)
      for (let i = end - 1; i >= this.#start && out.length < limit; i--) {
        const entry = entries[i]!
        if (entry.expiresAtMs > nowMs) out.push(entry.publication)
      }
    } else {
      for (let i = this.#firstAfter(since ?? 0); i < entries.length && out.length < limit; i++) {
        const entry = entries[i]!
        if (entry.expiresAtMs > nowMs) out.push(entry.publication)
      }
    }
    return out
  }

  /** The offset first published with `key`, if that was within its window. */
  findKey(key: string, nowMs: number): number | undefined {
    const entry = this.#keys.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAtMs > nowMs) return entry.offset
    this.#keys.delete(key)
    return undefined
  }

  rememberKey(key: string, offset: number, windowMs: number, nowMs: number): void {
    if (windowMs <= 0) return
    this.#keys.set(key, { offset, expiresAtMs: nowMs + windowMs })
    // Keys are kept in insertion order, so the oldest go first when the bound is hit.
    if (this.#keys.size > this.#maxKeys) {
      const oldest = this.#keys.keys().next()
      if (oldest.done !== true) this.#keys.delete(oldest.value)
    }
  }

  /** Frees expired history and keys; returns true when the whole stream may be forgotten. */
  sweep(nowMs: number): boolean {
    this.trimExpired(nowMs)
    for (const [key, entry] of this.#keys) {
      if (entry.expiresAtMs <= nowMs) this.#keys.delete(key)
    }
    return this.size === 0 && this.#keys.size === 0 && nowMs - this.lastWriteMs > this.idleTtlMs
  }

  /** Index of the first entry with an offset greater than `offset` (binary search). */
  #firstAfter(offset: number): number {
    let lo = this.#start
    let hi = this.#entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.#entries[mid]!.publication.offset <= offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
