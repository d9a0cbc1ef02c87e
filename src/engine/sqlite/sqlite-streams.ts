import type Database from 'better-sqlite3'
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../memory/memory-engine.js'
import { newEpoch } from '../memory/new-epoch.js'
import type { HistoryQuery, HistoryResult, Publication, PublishOptions, PublishResult } from '../types.js'

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

/** The cached copy of a `streams` row. */
type StreamMeta = {
  id: number
  channel: string
  epoch: string
  top: number
  /** Retention of the batch's latest publish, applied once per batch. */
  historySize: number
  idleUntilMs: number
  /** Batch that last wrote this stream: its row is updated once per batch. */
  batch: number
  lastUsedMs: number
}

type PublicationRow = { seq: number; time_ms: number; data: string; info: string | null; tags: string | null }

/** A cached stream unused this long is dropped from memory (its row stays). */
const CACHE_IDLE_MS = 60_000
/** Expired rows deleted per statement by the sweep, so one sweep never stalls the event loop long. */
const SWEEP_CHUNK = 5_000

/**
 * Channel streams in SQLite: the `streams` row (offset top, epoch) cached in memory, publications
 * appended and trimmed in the caller's transaction, idempotency keys with expiry, history reads.
 * Every statement is prepared once. Not safe to share a file between processes (see
 * `openSqliteDatabase`): the cache assumes it is the only writer.
 */
export class SqliteStreams {
  readonly #db: Database.Database
  readonly #idleStreamTtlMs: number
  readonly #cache = new Map<string, StreamMeta>()
  readonly #touched: StreamMeta[] = []
  #batch = 0
  readonly #appendTx: (batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean) => void
  readonly #sql

  constructor(db: Database.Database, idleStreamTtlMs: number) {
    this.#db = db
    this.#idleStreamTtlMs = idleStreamTtlMs
    this.#sql = {
      selectStream: db.prepare<[string], { id: number; epoch: string; top: number; idle_until_ms: number }>(
        'SELECT id, epoch, top, idle_until_ms FROM streams WHERE channel = ?',
      ),
      insertStream: db.prepare<[string, string, number]>('INSERT INTO streams (channel, epoch, top, idle_until_ms) VALUES (?, ?, 0, ?)'),
      updateStream: db.prepare<[number, number, number]>('UPDATE streams SET top = ?, idle_until_ms = ? WHERE id = ?'),
      insertPublication: db.prepare<[number, number, number, number, string, string | null, string | null]>(
        'INSERT INTO publications (stream_id, seq, time_ms, expires_ms, data, info, tags) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      trim: db.prepare<[number, number]>('DELETE FROM publications WHERE stream_id = ? AND seq <= ?'),
      clear: db.prepare<[number]>('DELETE FROM publications WHERE stream_id = ?'),
      selectKey: db
        .prepare<[number, string, number], number>('SELECT seq FROM idempotency WHERE stream_id = ? AND key = ? AND expires_ms > ?')
        .pluck(),
      upsertKey: db.prepare<[number, string, number, number]>(
        'INSERT OR REPLACE INTO idempotency (stream_id, key, seq, expires_ms) VALUES (?, ?, ?, ?)',
      ),
      readAsc: db.prepare<[number, number, number, number], PublicationRow>(
        'SELECT seq, time_ms, data, info, tags FROM publications WHERE stream_id = ? AND seq > ? AND expires_ms > ? ORDER BY seq ASC LIMIT ?',
      ),
      readDesc: db.prepare<[number, number, number, number], PublicationRow>(
        'SELECT seq, time_ms, data, info, tags FROM publications WHERE stream_id = ? AND seq > ? AND expires_ms > ? ORDER BY seq DESC LIMIT ?',
      ),
      sweepPublications: db.prepare<[number, number]>(
        'DELETE FROM publications WHERE id IN (SELECT id FROM publications WHERE expires_ms <= ? LIMIT ?)',
      ),
      sweepKeys: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_ms <= ?'),
      sweepStreams: db
        .prepare<[number], string>(
          `DELETE FROM streams WHERE idle_until_ms <= ?
             AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.stream_id = streams.id)
             AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.stream_id = streams.id)
           RETURNING channel`,
        )
        .pluck(),
    }
    this.#appendTx = db.transaction((batch, nowMs, wants) => this.#append(batch, nowMs, wants))
  }

  /**
   * Writes a batch of publishes in one transaction: offsets assigned in batch order from the
   * cached tops, idempotency keys checked and stored, each touched stream trimmed to size once.
   * On failure everything is rolled back, the cache is dropped (it is reloaded from the file) and
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

  /** The channel's position; a channel never seen gets its row (offset 0, fresh epoch) now. */
  position(channel: string, nowMs: number): { offset: number; epoch: string } {
    const meta = this.#meta(channel, nowMs)
    return { offset: meta.top, epoch: meta.epoch }
  }

  read(channel: string, query: HistoryQuery, nowMs: number): HistoryResult {
    const meta = this.#meta(channel, nowMs)
    const result: HistoryResult = { offset: meta.top, epoch: meta.epoch, publications: [] }
    const limit = Math.max(0, query.limit)
    if (limit === 0) return result
    if (query.since !== undefined && query.since.epoch !== meta.epoch) return result
    const statement = query.reverse === true ? this.#sql.readDesc : this.#sql.readAsc
    for (const row of statement.all(meta.id, query.since?.offset ?? 0, nowMs, limit)) {
      result.publications.push(toPublication(row))
    }
    return result
  }

  /** Deletes the channel's publications; its top offset and epoch stay. */
  remove(channel: string, nowMs: number): void {
    const meta = this.#meta(channel, nowMs)
    this.#sql.clear.run(meta.id)
  }

  /** Deletes expired publications and keys, then streams idle, empty and past their TTL. */
  sweep(nowMs: number): void {
    while (this.#sql.sweepPublications.run(nowMs, SWEEP_CHUNK).changes === SWEEP_CHUNK) {
      // keep going: each statement is a short transaction of its own
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
      if (options.historySize > 0 && historyTtlMs > 0) {
        const info = options.info === undefined ? null : JSON.stringify(options.info)
        const tags = options.tags === undefined ? null : JSON.stringify(options.tags)
        sql.insertPublication.run(meta.id, offset, nowMs, nowMs + historyTtlMs, item.data, info, tags)
      }
      if (key !== undefined) {
        const windowMs = options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS
        if (windowMs > 0) sql.upsertKey.run(meta.id, key, offset, nowMs + windowMs)
      }
      meta.historySize = options.historySize
      meta.idleUntilMs = nowMs + (historyTtlMs > 0 ? historyTtlMs : this.#idleStreamTtlMs)
      if (meta.batch !== batchId) {
        meta.batch = batchId
        this.#touched.push(meta)
      }
      item.result = { offset, epoch: meta.epoch, duplicate: false }
      if (wants(item.channel)) {
        const publication: Publication = { offset, data: item.data, timeMs: nowMs }
        if (options.info !== undefined) publication.info = options.info
        if (options.tags !== undefined) publication.tags = options.tags
        item.publication = publication
      }
    }
    for (const meta of this.#touched) {
      sql.updateStream.run(meta.top, meta.idleUntilMs, meta.id)
      sql.trim.run(meta.id, meta.top - meta.historySize)
    }
  }

  #meta(channel: string, nowMs: number): StreamMeta {
    let meta = this.#cache.get(channel)
    if (meta === undefined) {
      const row = this.#sql.selectStream.get(channel)
      if (row !== undefined) {
        meta = { id: row.id, channel, epoch: row.epoch, top: row.top, historySize: 0, idleUntilMs: row.idle_until_ms, batch: 0, lastUsedMs: nowMs }
      } else {
        const epoch = newEpoch()
        const idleUntilMs = nowMs + this.#idleStreamTtlMs
        const id = Number(this.#sql.insertStream.run(channel, epoch, idleUntilMs).lastInsertRowid)
        meta = { id, channel, epoch, top: 0, historySize: 0, idleUntilMs, batch: 0, lastUsedMs: nowMs }
      }
      this.#cache.set(channel, meta)
    }
    meta.lastUsedMs = nowMs
    return meta
  }
}

function toPublication(row: PublicationRow): Publication {
  const publication: Publication = { offset: row.seq, data: row.data, timeMs: row.time_ms }
  if (row.info !== null) publication.info = JSON.parse(row.info) as Publication['info'] & object
  if (row.tags !== null) publication.tags = JSON.parse(row.tags) as Record<string, string>
  return publication
}
