import type Database from 'better-sqlite3'
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../memory/memory-engine.js'
import { newEpoch } from '../memory/new-epoch.js'
import type { HistoryQuery, HistoryResult, Publication, PublishOptions, PublishResult } from '../types.js'
import { ChunkBuilder, decodeChunk } from './publication-chunk.js'

/** One publish waiting for its group commit. `appendBatch` fills in the outcome. */
export type PendingPublish = {
  channel: string
  data: string
  options: PublishOptions
  resolve: (result: PublishResult) => void
  reject: (error: unknown) => void
  result?: PublishResult
  /** Set for appended (non-duplicate) publishes whose channel the caller wants to fan out. */
  publication?: Publication
}

/**
 * A stream's state while the engine runs: the `streams` row as stored, plus what is newer than it.
 *
 * The row is not rewritten per publish. The top offset recoverable from the file is
 * `max(streams.top, max(chunks.last_seq))`, so a batch whose last publication for the stream went
 * into a chunk needs no row update; the row's `top` is written only when that is not enough
 * (publishes without history, and before chunks are deleted), `history_size` only when it changes.
 */
type StreamMeta = {
  id: number
  epoch: string
  top: number
  /** `streams.top` as stored. */
  storedTop: number
  /** The top offset as recoverable from the file (see above). */
  durableTop: number
  historySize: number
  /** `streams.history_size` as stored. */
  storedHistorySize: number
  /** As stored: never earlier than the stream's real idle deadline, moved forward in steps. */
  idleUntilMs: number
  /** The batch moved `idleUntilMs`, so the row's indexed `idle_until_ms` needs writing. */
  idleMoved: boolean
  /** `last_seq` of the oldest stored chunk, 0 when none: decides when trimming is due. */
  oldestLastSeq: number
  /** Batch that last wrote this stream: its row is updated once per batch. */
  batch: number
  chunk: ChunkBuilder | undefined
  lastUsedMs: number
}

/** A cached stream unused this long is dropped from memory (its row stays). */
const CACHE_IDLE_MS = 60_000
/** Expired chunks deleted per statement by the sweep, so one sweep never stalls the event loop long. */
const SWEEP_CHUNK = 1_000
/** Publications per chunk at most, so reading the newest few never decodes a huge row. */
const MAX_CHUNK_PUBLICATIONS = 256

/**
 * Channel streams in SQLite: the `streams` row (offset top, epoch, history size) cached in
 * memory, publications appended as chunks (one row per stream per transaction, see
 * `publication-chunk.ts`), idempotency keys with expiry, history reads.
 *
 * Retention: reads return only publications above `top - historySize` that have not expired, so
 * what a client sees is exact; storage is trimmed lazily, whole chunks at a time, once half a
 * history's worth of chunks fell below that line (at most ~1.5 × historySize plus one chunk is
 * stored per stream), and expired chunks are deleted by `sweep`.
 *
 * Every statement is prepared once. The cache assumes this is the only writer of the file (see
 * `openSqliteDatabase`).
 */
export class SqliteStreams {
  readonly #idleStreamTtlMs: number
  readonly #cache = new Map<string, StreamMeta>()
  readonly #touched: StreamMeta[] = []
  #batch = 0
  readonly #appendTx: (batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean) => void
  readonly #removeTx: (meta: StreamMeta) => void
  readonly #sweepTx: (nowMs: number) => number
  readonly #sql

  constructor(db: Database.Database, idleStreamTtlMs: number) {
    this.#idleStreamTtlMs = idleStreamTtlMs
    this.#sql = {
      selectStream: db.prepare<[string], { id: number; epoch: string; top: number; history_size: number; idle_until_ms: number }>(
        'SELECT id, epoch, top, history_size, idle_until_ms FROM streams WHERE channel = ?',
      ),
      insertStream: db.prepare<[string, string, number]>(
        'INSERT INTO streams (channel, epoch, top, history_size, idle_until_ms) VALUES (?, ?, 0, 0, ?)',
      ),
      updateStream: db.prepare<[number, number, number, number]>(
        'UPDATE streams SET top = ?, history_size = ?, idle_until_ms = ? WHERE id = ?',
      ),
      raiseTop: db.prepare<[number, number, number]>('UPDATE streams SET top = ? WHERE id = ? AND top < ?'),
      newestChunk: db.prepare<[number], number | null>('SELECT max(last_seq) FROM chunks WHERE stream_id = ?').pluck(),
      insertChunk: db.prepare<[number, number, number, number, string]>(
        'INSERT INTO chunks (stream_id, first_seq, last_seq, expires_ms, body) VALUES (?, ?, ?, ?, ?)',
      ),
      oldestChunk: db.prepare<[number], number | null>('SELECT min(last_seq) FROM chunks WHERE stream_id = ?').pluck(),
      trim: db.prepare<[number, number]>('DELETE FROM chunks WHERE stream_id = ? AND last_seq <= ?'),
      clear: db.prepare<[number]>('DELETE FROM chunks WHERE stream_id = ?'),
      selectKey: db
        .prepare<[number, string, number], number>('SELECT seq FROM idempotency WHERE stream_id = ? AND key = ? AND expires_ms > ?')
        .pluck(),
      upsertKey: db.prepare<[number, string, number, number]>(
        'INSERT OR REPLACE INTO idempotency (stream_id, key, seq, expires_ms) VALUES (?, ?, ?, ?)',
      ),
      readAsc: db
        .prepare<[number, number, number], string>(
          'SELECT body FROM chunks WHERE stream_id = ? AND last_seq > ? AND expires_ms > ? ORDER BY last_seq ASC',
        )
        .pluck(),
      readDesc: db
        .prepare<[number, number, number], string>(
          'SELECT body FROM chunks WHERE stream_id = ? AND last_seq > ? AND expires_ms > ? ORDER BY last_seq DESC',
        )
        .pluck(),
      sweepChunks: db.prepare<[number, number], { stream_id: number; last_seq: number }>(
        'DELETE FROM chunks WHERE id IN (SELECT id FROM chunks WHERE expires_ms <= ? LIMIT ?) RETURNING stream_id, last_seq',
      ),
      sweepKeys: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_ms <= ?'),
      sweepStreams: db
        .prepare<[number], string>(
          `DELETE FROM streams WHERE idle_until_ms <= ?
             AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.stream_id = streams.id)
             AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.stream_id = streams.id)
           RETURNING channel`,
        )
        .pluck(),
    }
    this.#appendTx = db.transaction((batch, nowMs, wants) => this.#append(batch, nowMs, wants))
    this.#removeTx = db.transaction((meta: StreamMeta) => {
      this.#keepTop(meta)
      this.#sql.clear.run(meta.id)
    })
    this.#sweepTx = db.transaction((nowMs: number) => this.#sweepExpired(nowMs))
  }

  /**
   * Writes a batch of publishes in one transaction: offsets assigned in batch order from the
   * cached tops, idempotency keys checked and stored, one chunk row per touched stream. On
   * failure everything is rolled back, the cache is dropped (it is reloaded from the file) and
   * the error is thrown; on success every item has its `result`.
   */
  appendBatch(batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean): void {
    try {
      this.#appendTx(batch, nowMs, wants)
    } catch (error) {
      this.#cache.clear()
      throw error
    } finally {
      this.#touched.length = 0
    }
  }

  read(channel: string, query: HistoryQuery, nowMs: number): HistoryResult {
    const meta = this.#meta(channel, nowMs)
    const result: HistoryResult = { offset: meta.top, epoch: meta.epoch, publications: [] }
    const limit = Math.max(0, query.limit)
    if (limit === 0) return result
    if (query.since !== undefined && query.since.epoch !== meta.epoch) return result
    const after = Math.max(query.since?.offset ?? 0, meta.top - meta.historySize)
    const out = result.publications
    if (query.reverse === true) {
      for (const body of this.#sql.readDesc.iterate(meta.id, after, nowMs)) {
        const publications = decodeChunk(body, after, nowMs)
        for (let i = publications.length - 1; i >= 0 && out.length < limit; i--) out.push(publications[i]!)
        if (out.length >= limit) break
      }
    } else {
      for (const body of this.#sql.readAsc.iterate(meta.id, after, nowMs)) {
        for (const publication of decodeChunk(body, after, nowMs)) {
          if (out.length >= limit) break
          out.push(publication)
        }
        if (out.length >= limit) break
      }
    }
    return result
  }

  /** Deletes the channel's publications; its top offset and epoch stay. */
  remove(channel: string, nowMs: number): void {
    const meta = this.#meta(channel, nowMs)
    try {
      this.#removeTx(meta)
    } catch (error) {
      this.#cache.delete(channel)
      throw error
    }
    meta.oldestLastSeq = 0
  }

  /** Deletes expired chunks and keys, then streams idle, empty and past their TTL. */
  sweep(nowMs: number): void {
    try {
      while (this.#sweepTx(nowMs) === SWEEP_CHUNK) {
        // keep going: each round is a short transaction of its own
      }
    } catch (error) {
      this.#cache.clear()
      throw error
    }
    this.#sql.sweepKeys.run(nowMs)
    for (const channel of this.#sql.sweepStreams.all(nowMs)) this.#cache.delete(channel)
    for (const [channel, meta] of this.#cache) {
      if (nowMs - meta.lastUsedMs > CACHE_IDLE_MS) this.#cache.delete(channel)
    }
  }

  #append(batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean): void {
    const batchId = ++this.#batch
    const sql = this.#sql
    for (const item of batch) {
      const meta = this.#meta(item.channel, nowMs)
      const options = item.options
      const key = options.idempotencyKey
      if (key !== undefined) {
        const seq = sql.selectKey.get(meta.id, key, nowMs)
        if (seq !== undefined) {
          item.result = { offset: seq, epoch: meta.epoch, duplicate: true }
          continue
        }
      }
      const offset = ++meta.top
      const historyTtlMs = options.historyTtlMs
      if (meta.batch !== batchId) {
        meta.batch = batchId
        this.#touched.push(meta)
      }
      if (options.historySize > 0 && historyTtlMs > 0) {
        const chunk = (meta.chunk ??= new ChunkBuilder())
        const info = options.info === undefined ? '' : jsonOf(options.info)
        const tags = options.tags === undefined ? '' : jsonOf(options.tags)
        chunk.add(offset, nowMs, nowMs + historyTtlMs, item.data, info, tags)
        if (chunk.count >= MAX_CHUNK_PUBLICATIONS) this.#writeChunk(meta, chunk)
      }
      if (key !== undefined) {
        const windowMs = options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS
        if (windowMs > 0) sql.upsertKey.run(meta.id, key, offset, nowMs + windowMs)
      }
      meta.historySize = options.historySize
      this.#extendIdle(meta, nowMs, historyTtlMs > 0 ? historyTtlMs : this.#idleStreamTtlMs)
      item.result = { offset, epoch: meta.epoch, duplicate: false }
      if (wants(item.channel)) {
        const publication: Publication = { offset, data: item.data, timeMs: nowMs }
        if (options.info !== undefined) publication.info = options.info
        if (options.tags !== undefined) publication.tags = options.tags
        item.publication = publication
      }
    }
    for (const meta of this.#touched) {
      if (meta.chunk !== undefined && meta.chunk.count > 0) this.#writeChunk(meta, meta.chunk)
      if (meta.idleMoved || meta.durableTop < meta.top || meta.storedHistorySize !== meta.historySize) {
        sql.updateStream.run(meta.top, meta.historySize, meta.idleUntilMs, meta.id)
        meta.idleMoved = false
        meta.storedTop = meta.durableTop = meta.top
        meta.storedHistorySize = meta.historySize
      }
      this.#trimIfDue(meta)
    }
  }

  /** Deletes one round of expired chunks, first moving each stream's row top up to what they held. */
  #sweepExpired(nowMs: number): number {
    const deleted = this.#sql.sweepChunks.all(nowMs, SWEEP_CHUNK)
    const tops = new Map<number, number>()
    for (const { stream_id: id, last_seq: seq } of deleted) {
      if (seq > (tops.get(id) ?? 0)) tops.set(id, seq)
    }
    for (const [id, top] of tops) this.#sql.raiseTop.run(top, id, top)
    if (tops.size > 0) {
      for (const meta of this.#cache.values()) {
        const top = tops.get(meta.id)
        if (top !== undefined && top > meta.storedTop) meta.storedTop = top
      }
    }
    return deleted.length
  }

  /** Before chunks are deleted: makes the stored row hold the top, so it survives without them. */
  #keepTop(meta: StreamMeta): void {
    if (meta.storedTop >= meta.top) return
    this.#sql.raiseTop.run(meta.top, meta.id, meta.top)
    meta.storedTop = meta.durableTop = meta.top
  }

  /**
   * Keeps the stored idle deadline between `nowMs + ttlMs` (the real one: never forget a stream
   * too soon) and a quarter TTL later, writing it an eighth of the TTL ahead, so a busy stream
   * rewrites its indexed `idle_until_ms` only now and then.
   */
  #extendIdle(meta: StreamMeta, nowMs: number, ttlMs: number): void {
    const needed = nowMs + ttlMs
    if (needed <= meta.idleUntilMs && meta.idleUntilMs <= needed + Math.floor(ttlMs / 4)) return
    meta.idleUntilMs = needed + Math.floor(ttlMs / 8)
    meta.idleMoved = true
  }

  #writeChunk(meta: StreamMeta, chunk: ChunkBuilder): void {
    this.#sql.insertChunk.run(meta.id, chunk.firstSeq, chunk.lastSeq, chunk.expiresMs, chunk.body)
    if (meta.oldestLastSeq === 0) meta.oldestLastSeq = chunk.lastSeq
    if (chunk.lastSeq > meta.durableTop) meta.durableTop = chunk.lastSeq
    chunk.reset()
  }

  /** Deletes chunks wholly below the visible window, once half a history's worth piled up there. */
  #trimIfDue(meta: StreamMeta): void {
    const line = meta.top - meta.historySize
    if (meta.oldestLastSeq === 0 || meta.oldestLastSeq > line - (meta.historySize >> 1)) return
    this.#keepTop(meta)
    this.#sql.trim.run(meta.id, line)
    meta.oldestLastSeq = this.#sql.oldestChunk.get(meta.id) ?? 0
  }

  #meta(channel: string, nowMs: number): StreamMeta {
    let meta = this.#cache.get(channel)
    if (meta === undefined) {
      meta = this.#load(channel, nowMs)
      this.#cache.set(channel, meta)
    }
    meta.lastUsedMs = nowMs
    return meta
  }

  /** Reads the channel's row, or creates it (offset 0, fresh epoch) for a channel never seen. */
  #load(channel: string, nowMs: number): StreamMeta {
    const row = this.#sql.selectStream.get(channel)
    if (row !== undefined) {
      const top = Math.max(row.top, this.#sql.newestChunk.get(row.id) ?? 0)
      return {
        id: row.id,
        epoch: row.epoch,
        top,
        storedTop: row.top,
        durableTop: top,
        historySize: row.history_size,
        storedHistorySize: row.history_size,
        idleUntilMs: row.idle_until_ms,
        idleMoved: false,
        oldestLastSeq: this.#sql.oldestChunk.get(row.id) ?? 0,
        batch: 0,
        chunk: undefined,
        lastUsedMs: nowMs,
      }
    }
    const epoch = newEpoch()
    const idleUntilMs = nowMs + this.#idleStreamTtlMs
    const id = Number(this.#sql.insertStream.run(channel, epoch, idleUntilMs).lastInsertRowid)
    return {
      id,
      epoch,
      top: 0,
      storedTop: 0,
      durableTop: 0,
      historySize: 0,
      storedHistorySize: 0,
      idleUntilMs,
      idleMoved: false,
      oldestLastSeq: 0,
      batch: 0,
      chunk: undefined,
      lastUsedMs: nowMs,
    }
  }
}

/**
 * JSON text of an info or tags object, memoised per object: a connection publishes with the same
 * `ClientInfo` object again and again. Callers must not mutate what they passed to publish.
 */
const jsonCache = new WeakMap<object, string>()
function jsonOf(value: object): string {
  let json = jsonCache.get(value)
  if (json === undefined) {
    json = JSON.stringify(value)
    jsonCache.set(value, json)
  }
  return json
}
