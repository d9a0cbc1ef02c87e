/** Streams in SQLite: appends with offsets and epochs, history reads, trimming and expiry. */
import type Database from 'better-sqlite3'
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../options.js'
import { streamMetaTtlMs } from '../local/stream-retention.js'
import { UnknownEpochs } from '../local/unknown-epochs.js'
import type { HistoryQuery, HistoryResult, Publication, PublishOptions, PublishResult } from '../types.js'
import { ChunkList } from './chunk-list.js'
import { ChunkBuilder, decodeChunk } from './publication-chunk.js'
import { prepareStreamStatements, type StreamStatements } from './stream-statements.js'
import { VolatileStreams, type VolatileStream } from './volatile-streams.js'

/** One publish waiting for its group commit. `appendBatch` fills in the outcome. */
export type PendingPublish = {
  channel: string
  data: string
  options: PublishOptions
  resolve: (result: PublishResult) => void
  reject: (error: unknown) => void
  result: PublishResult | undefined
  /** Set for appended (non-duplicate) publishes whose channel the caller wants to fan out. */
  publication: Publication | undefined
}

/** The cached copy of a `streams` row and of what the engine needs to know of its head chunk. */
type StreamMeta = {
  id: number
  epoch: string
  top: number
  historySize: number
  /** As stored: never earlier than the stream's real idle deadline, moved forward in steps. */
  idleUntilMs: number
  /** The batch moved `idleUntilMs`, so the row's indexed `idle_until_ms` needs writing. */
  idleMoved: boolean
  /** The newest chunk's id, `last_seq` and stored `expires_ms`; id 0 when the stream holds none. */
  headId: number
  headLastSeq: number
  headExpiresMs: number
  /** The stored chunks, oldest first; undefined until first needed after the stream was loaded. */
  chunks: ChunkList | undefined
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
 * Channel streams in SQLite: the `streams` row (offset top, epoch, history size, newest chunk)
 * cached in memory, publications appended as chunks (one row per stream per transaction, see
 * `publication-chunk.ts`) chained newest to oldest (see `openSqliteDatabase`), idempotency keys
 * with expiry, history reads.
 *
 * A batch writes, per stream it touched, one chunk (appended at the end of the table) and its
 * row's new top and head: no per-publication rows or index entries. A cached stream also keeps
 * the ids of its chunks (`ChunkList`, read from the chain once per load), which is how reads find
 * where to start and trims what to delete.
 *
 * Retention: reads return only publications above `top - historySize` that have not expired, so
 * what a client sees is exact; storage is trimmed lazily, whole chunks at a time, once half a
 * history's worth of chunks fell below that line (at most ~1.5 × historySize plus one chunk is
 * stored per stream), and expired chunks are deleted by `sweep`.
 *
 * Every statement is prepared once. The cache assumes this is the only writer of the file (see
 * `openSqliteDatabase`).
 */
/** How long streams keep their meta, see `streamMetaTtlMs`. */
export type StreamTtls = { idleStreamTtlMs: number; historyMetaTtlMs: number }

export class SqliteStreams {
  readonly #ttls: StreamTtls
  readonly #cache = new Map<string, StreamMeta>()
  readonly #touched: StreamMeta[] = []
  /** Channels whose row the current batch created: their reported epochs are forgotten once it commits. */
  readonly #created: string[] = []
  #batch = 0
  readonly #appendTx: (batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean) => void
  readonly #removeTx: (meta: StreamMeta) => void
  readonly #sweepTx: (nowMs: number) => number
  readonly #sql: StreamStatements
  readonly #subscribed: (channel: string) => boolean
  readonly #unknownEpochs: UnknownEpochs
  /** Channels without history and without a row: positions in memory only. */
  readonly #volatile: VolatileStreams
  /** Channels whose volatile position the current batch moved into a new row. */
  readonly #promoted = new Map<string, VolatileStream>()

  /** `subscribed` names the channels subscribed on this node: never forgotten, see `sweep`. */
  constructor(db: Database.Database, ttls: StreamTtls, subscribed: (channel: string) => boolean) {
    this.#ttls = { idleStreamTtlMs: ttls.idleStreamTtlMs, historyMetaTtlMs: ttls.historyMetaTtlMs }
    this.#subscribed = subscribed
    this.#unknownEpochs = new UnknownEpochs(subscribed)
    this.#volatile = new VolatileStreams(this.#unknownEpochs, subscribed)
    this.#sql = prepareStreamStatements(db)
    this.#appendTx = db.transaction((batch, nowMs, wants) => this.#append(batch, nowMs, wants))
    this.#removeTx = db.transaction((meta: StreamMeta) => {
      if (meta.headId === 0) return
      this.#sql.clear.run({ head: meta.headId, stream: meta.id })
      this.#sql.clearHead.run(meta.id)
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
      for (const channel of this.#created) this.#unknownEpochs.take(channel)
    } catch (error) {
      this.#cache.clear()
      // The rows the batch would have given these channels are gone: their positions are not.
      for (const [channel, stream] of this.#promoted) this.#volatile.restore(channel, stream)
      throw error
    } finally {
      this.#touched.length = 0
      this.#created.length = 0
      this.#promoted.clear()
    }
  }

  /** Streams cached in memory, and epochs remembered for channels without a row (tests, metrics). */
  get counts(): { cachedStreams: number; unknownEpochs: number; volatileStreams: number } {
    return { cachedStreams: this.#cache.size, unknownEpochs: this.#unknownEpochs.size, volatileStreams: this.#volatile.size }
  }

  /** Reads history; a channel without a row stays without one (offset 0, see `UnknownEpochs`). */
  read(channel: string, query: HistoryQuery, nowMs: number): HistoryResult {
    const meta = this.#find(channel, nowMs)
    if (meta === undefined) {
      const volatile = this.#volatile.get(channel)
      if (volatile !== undefined) return { offset: volatile.top, epoch: volatile.epoch, publications: [] }
      return { offset: 0, epoch: this.#unknownEpochs.peek(channel), publications: [] }
    }
    const result: HistoryResult = { offset: meta.top, epoch: meta.epoch, publications: [] }
    const limit = Math.max(0, query.limit)
    if (limit === 0 || meta.headId === 0) return result
    if (query.since !== undefined && query.since.epoch !== meta.epoch) return result
    const oldest = meta.top - meta.historySize
    const since = query.since?.offset
    const out = result.publications
    const list = (meta.chunks ??= this.#walk(meta))
    const body = this.#sql.selectBody
    if (query.reverse === true) {
      if (since === 0) return result
      // Backwards from just below `since`: from the chunk holding since - 1 (or the newest).
      const before = since ?? meta.top + 1
      const from = list.indexAfter(oldest)
      for (let i = Math.min(list.size - 1, list.indexAfter(before - 1)); i >= from && out.length < limit; i--) {
        const text = body.get(list.idAt(i), nowMs)
        if (text === undefined) continue
        const publications = decodeChunk(text, oldest, nowMs)
        for (let k = publications.length - 1; k >= 0 && out.length < limit; k--) {
          if (publications[k]!.offset < before) out.push(publications[k]!)
        }
      }
    } else {
      const after = Math.max(since ?? 0, oldest)
      const from = list.indexAfter(after)
      for (let i = from; i < list.size && out.length < limit; i++) {
        const text = body.get(list.idAt(i), nowMs)
        if (text === undefined) continue
        for (const publication of decodeChunk(text, after, nowMs)) {
          if (out.length >= limit) break
          out.push(publication)
        }
      }
    }
    return result
  }

  /** Deletes the channel's publications; its top offset and epoch stay. */
  remove(channel: string, nowMs: number): void {
    const meta = this.#find(channel, nowMs)
    if (meta === undefined) return
    try {
      this.#removeTx(meta)
    } catch (error) {
      this.#cache.delete(channel)
      throw error
    }
    this.#forgetChunks(meta)
  }

  /**
   * Deletes expired chunks and keys, then streams idle, empty and past their meta TTL, except
   * those subscribed on this node (their subscribers hold positions in the epoch).
   */
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
    this.#volatile.sweep(nowMs, this.#ttls.idleStreamTtlMs)
    const gone: number[] = []
    for (const { id, channel } of this.#sql.idleStreams.all(nowMs)) {
      if (this.#subscribed(channel)) continue
      gone.push(id)
      this.#cache.delete(channel)
    }
    if (gone.length > 0) this.#sql.deleteStreams.run(JSON.stringify(gone))
    for (const [channel, meta] of this.#cache) {
      if (nowMs - meta.lastUsedMs > CACHE_IDLE_MS) this.#cache.delete(channel)
    }
  }

  #append(batch: PendingPublish[], nowMs: number, wants: (channel: string) => boolean): void {
    const batchId = ++this.#batch
    const sql = this.#sql
    for (const item of batch) {
      if (this.#staysVolatile(item, nowMs)) {
        this.#appendVolatile(item, nowMs, wants)
        continue
      }
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
      this.#extendIdle(meta, nowMs, streamMetaTtlMs(historyTtlMs, this.#ttls))
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
      this.#trimIfDue(meta)
      const head = meta.headId === 0 ? null : meta.headId
      if (meta.idleMoved) {
        sql.updateStreamIdle.run(meta.top, meta.historySize, head, meta.idleUntilMs, meta.id)
        meta.idleMoved = false
      } else {
        sql.updateStream.run(meta.top, meta.historySize, head, meta.id)
      }
    }
  }

  /**
   * Deletes one round of expired chunks. A stream whose head went holds none any more (a head
   * expires only after every older chunk of its stream), so its row and cache forget the head.
   */
  #sweepExpired(nowMs: number): number {
    const deleted = this.#sql.sweepChunks.all(nowMs, SWEEP_CHUNK)
    const newest = new Map<number, number>()
    for (const { id, stream_id: streamId } of deleted) {
      if (id > (newest.get(streamId) ?? 0)) newest.set(streamId, id)
    }
    for (const [streamId, id] of newest) this.#sql.dropHead.run(streamId, id)
    if (newest.size > 0) {
      for (const meta of this.#cache.values()) {
        const id = newest.get(meta.id)
        if (id === undefined || meta.headId === 0) continue
        if (id === meta.headId) this.#forgetChunks(meta)
        else meta.chunks?.dropThroughId(id)
      }
    }
    return deleted.length
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

  /** Appends the chunk to the stream's chain; its expiry covers the older chunks' (see the schema). */
  #writeChunk(meta: StreamMeta, chunk: ChunkBuilder): void {
    const expiresMs = Math.max(chunk.expiresMs, meta.headExpiresMs)
    const prev = meta.headId === 0 ? null : meta.headId
    const { lastInsertRowid } = this.#sql.insertChunk.run(meta.id, prev, chunk.firstSeq, chunk.lastSeq, expiresMs, chunk.body)
    meta.headId = Number(lastInsertRowid)
    meta.headLastSeq = chunk.lastSeq
    meta.headExpiresMs = expiresMs
    meta.chunks?.push(meta.headId, chunk.lastSeq)
    chunk.reset()
  }

  /** Deletes chunks wholly below the visible window, once half a history's worth piled up there. */
  #trimIfDue(meta: StreamMeta): void {
    const line = meta.top - meta.historySize
    const due = line - (meta.historySize >> 1)
    if (meta.headId === 0 || due < 1) return
    const list = (meta.chunks ??= this.#walk(meta))
    const oldest = list.oldestLastSeq
    if (oldest === 0 || oldest > due) return
    this.#sql.deleteChunks.run(JSON.stringify(list.takeThroughSeq(line)))
    if (list.size === 0) this.#forgetChunks(meta)
  }

  /** Reads the stream's chunk list from the file (once per load, when a read or trim first needs it). */
  #walk(meta: StreamMeta): ChunkList {
    const rows = this.#sql.walk.all({ head: meta.headId, stream: meta.id })
    const list = new ChunkList()
    for (let i = rows.length - 1; i >= 0; i--) list.push(rows[i]!.id, rows[i]!.last_seq)
    return list
  }

  #forgetChunks(meta: StreamMeta): void {
    meta.headId = 0
    meta.headLastSeq = 0
    meta.headExpiresMs = 0
    meta.chunks = new ChunkList()
  }

  /** The channel's stream, its row created at its first publish (in the epoch reads reported, if any). */
  #meta(channel: string, nowMs: number): StreamMeta {
    let meta = this.#find(channel, nowMs)
    if (meta === undefined) {
      meta = this.#blank(nowMs)
      const volatile = this.#volatile.take(channel)
      if (volatile !== undefined) {
        // A channel without history gets its first stored publication: its position carries on.
        meta.epoch = volatile.epoch
        meta.top = volatile.top
        this.#promoted.set(channel, volatile)
      } else {
        // Kept until the batch commits: if it rolls back, the channel still has no row and reads
        // still report this epoch.
        meta.epoch = this.#unknownEpochs.peek(channel)
        this.#created.push(channel)
      }
      meta.id = Number(this.#sql.insertStream.run(channel, meta.epoch, meta.idleUntilMs).lastInsertRowid)
      this.#cache.set(channel, meta)
    }
    return meta
  }

  /**
   * A publish that stores nothing (history off, no idempotency key) to a channel without a row
   * takes its offset from memory: no row is created for it.
   */
  #staysVolatile(item: PendingPublish, nowMs: number): boolean {
    const { options } = item
    if ((options.historySize > 0 && options.historyTtlMs > 0) || options.idempotencyKey !== undefined) return false
    if (this.#volatile.get(item.channel) !== undefined) return true
    return this.#find(item.channel, nowMs) === undefined
  }

  #appendVolatile(item: PendingPublish, nowMs: number, wants: (channel: string) => boolean): void {
    const { offset, epoch } = this.#volatile.append(item.channel, nowMs)
    item.result = { offset, epoch, duplicate: false }
    if (wants(item.channel)) {
      const publication: Publication = { offset, data: item.data, timeMs: nowMs }
      if (item.options.info !== undefined) publication.info = item.options.info
      if (item.options.tags !== undefined) publication.tags = item.options.tags
      item.publication = publication
    }
  }

  /** The channel's stream if it has a row (cached, or loaded and cached); undefined otherwise. */
  #find(channel: string, nowMs: number): StreamMeta | undefined {
    let meta = this.#cache.get(channel)
    if (meta === undefined) {
      meta = this.#load(channel, nowMs)
      if (meta === undefined) return undefined
      this.#cache.set(channel, meta)
    }
    meta.lastUsedMs = nowMs
    return meta
  }

  /** Reads the channel's row; undefined for a channel that has none. */
  #load(channel: string, nowMs: number): StreamMeta | undefined {
    const row = this.#sql.selectStream.get(channel)
    if (row === undefined) return undefined
    const meta = this.#blank(nowMs)
    meta.id = row.id
    meta.epoch = row.epoch
    meta.top = row.top
    meta.historySize = row.history_size
    meta.idleUntilMs = row.idle_until_ms
    const head = row.head_id === null ? undefined : this.#sql.selectHead.get(row.head_id, row.id)
    if (head !== undefined) {
      meta.headId = row.head_id!
      meta.headLastSeq = head.last_seq
      meta.headExpiresMs = head.expires_ms
      meta.chunks = undefined
    }
    return meta
  }

  /** A stream at offset 0 holding nothing, not yet tied to a row or an epoch. */
  #blank(nowMs: number): StreamMeta {
    return {
      id: 0,
      epoch: '',
      top: 0,
      historySize: 0,
      idleUntilMs: nowMs + this.#ttls.idleStreamTtlMs,
      idleMoved: false,
      headId: 0,
      headLastSeq: 0,
      headExpiresMs: 0,
      chunks: new ChunkList(),
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
