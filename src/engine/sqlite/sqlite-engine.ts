/** `SqliteEngine`: the durable one-node engine (the default), with group commit. */
import type Database from 'better-sqlite3'
import type { HandlerErrorReporter } from '../local/local-fanout.js'
import { EngineClosedError, LocalNodeEngine } from '../local/local-node-engine.js'
import { EngineUnavailableError } from '../engine-errors.js'
import type { EngineCapabilities, EngineHandler, HistoryQuery, HistoryResult, PublishOptions, PublishResult } from '../types.js'
import { sqliteEngineDefaults } from '../options.js'
import { openSqliteDatabase, type SqliteSynchronous } from './open-sqlite-database.js'
import { type PendingPublish, SqliteStreams } from './sqlite-streams.js'

export type SqliteEngineOptions = {
  /** The database file (its directory is created if missing). */
  file: string
  /** See `openSqliteDatabase`. Default `normal`. */
  synchronous?: SqliteSynchronous
  /** Most publishes in one transaction (default 10,000); 1 commits each publish on its own. */
  maxBatch?: number
  /** How often expired publications, keys, idle streams and presence are deleted (default 1 s). */
  sweepIntervalMs?: number
  /** How long an idle stream published without a history TTL keeps its offset and epoch (default 1 h). */
  idleStreamTtlMs?: number
  /**
   * How long an idle stream with history keeps its offset and epoch after its last publish, at
   * least its `historyTtlMs` (default 30 days, Centrifugo's `history_meta_ttl`).
   */
  historyMetaTtlMs?: number
  /** How long `start` waits for another process's lock on the file before failing (default 1 s). */
  busyTimeoutMs?: number
  /**
   * Caps the database file (default 1 GiB). A batch that would grow it further fails: its
   * publishes reject with `EngineUnavailableError` naming the cap, nothing of it is kept, and the
   * engine carries on once retention frees space.
   */
  maxFileBytes?: number
  /** Receives what the handler threw while an event was delivered. */
  onHandlerError?: HandlerErrorReporter
}

/** Counters for tests, metrics and benchmarks. */
export type SqliteEngineStats = {
  /** Publishes written (duplicates included). */
  publishes: number
  /** Group-commit transactions committed. */
  commits: number
  /** Streams whose row is cached in memory. */
  cachedStreams: number
  /** Epochs remembered for channels read but never published to (bounded; no row is stored for them). */
  unknownEpochs: number
  /** Channels without history whose position is kept in memory only (bounded; no row is stored for them). */
  volatileStreams: number
}

/**
 * The one-node durable engine, and Sprocket's default: history in a SQLite file (WAL), fan-out
 * and presence in memory (`LocalNodeEngine`, shared with `MemoryEngine`).
 *
 * Group commit: publishes are queued and written by one `setImmediate` callback per event-loop
 * turn, in one transaction per batch (at most `maxBatch`); only after the commit do their
 * promises resolve and their fan-out get queued, so a resolved publish is durable (see
 * `openSqliteDatabase` for what `synchronous` protects against) and subscribers never see a
 * publication that could still be rolled back. If a commit fails, every publish of the batch
 * rejects with the SQLite error and nothing of it is visible.
 *
 * Offsets come from the per-channel `streams` row (created by the channel's first publish: a read
 * of a channel without one stores nothing, see `UnknownEpochs`), cached in memory and updated in the same
 * transaction, so they are gap-free and ordered in queue order. Epochs are stored in that row and
 * survive restarts; a stream idle and empty past its meta TTL (see `streamMetaTtlMs`) and not
 * subscribed on this node is deleted and starts a new epoch.
 * Reads (`history`, `removeHistory`) first flush the queue, so they see every publish called
 * before them.
 */
export class SqliteEngine extends LocalNodeEngine {
  readonly name = 'sqlite'
  readonly capabilities: EngineCapabilities = { durable: true, distributed: false }
  readonly #options: Required<Omit<SqliteEngineOptions, 'onHandlerError' | 'maxFileBytes'>> & { maxFileBytes: number | undefined }
  #db: Database.Database | undefined
  #streams: SqliteStreams | undefined
  #queue: PendingPublish[] = []
  #flushScheduled: NodeJS.Immediate | undefined
  #sweepTimer: NodeJS.Timeout | undefined
  readonly #stats = { publishes: 0, commits: 0 }
  readonly #flush = (): void => this.#flushQueue()
  readonly #wants = (channel: string): boolean => this.fanout.isSubscribed(channel)

  constructor(options: SqliteEngineOptions) {
    super(options.onHandlerError)
    this.#options = {
      file: options.file,
      synchronous: options.synchronous ?? sqliteEngineDefaults.synchronous,
      maxBatch: options.maxBatch ?? sqliteEngineDefaults.maxBatch,
      sweepIntervalMs: options.sweepIntervalMs ?? sqliteEngineDefaults.sweepIntervalMs,
      idleStreamTtlMs: options.idleStreamTtlMs ?? sqliteEngineDefaults.idleStreamTtlMs,
      historyMetaTtlMs: options.historyMetaTtlMs ?? sqliteEngineDefaults.historyMetaTtlMs,
      busyTimeoutMs: options.busyTimeoutMs ?? sqliteEngineDefaults.busyTimeoutMs,
      maxFileBytes: options.maxFileBytes ?? sqliteEngineDefaults.maxFileBytes,
    }
  }

  get stats(): Readonly<SqliteEngineStats> {
    return { ...this.#stats, ...(this.#streams?.counts ?? { cachedStreams: 0, unknownEpochs: 0, volatileStreams: 0 }) }
  }

  override async start(handler: EngineHandler): Promise<void> {
    this.assertOpen()
    if (this.#db !== undefined) throw new Error('sqlite engine already started')
    const { file, ...openOptions } = this.#options
    const db = openSqliteDatabase(file, openOptions)
    this.#db = db
    this.#streams = new SqliteStreams(db, this.#options, this.#wants)
    this.fanout.attach(handler)
    this.#sweepTimer = setInterval(() => this.#sweep(), this.#options.sweepIntervalMs)
    this.#sweepTimer.unref()
  }

  override publish(channel: string, data: string, options: PublishOptions): Promise<PublishResult> {
    if (this.closed) return Promise.reject(new EngineClosedError(this.name))
    if (this.#streams === undefined) return Promise.reject(new Error('sqlite engine not started'))
    return new Promise((resolve, reject) => {
      this.#queue.push({ channel, data, options, resolve, reject, result: undefined, publication: undefined })
      this.#flushScheduled ??= setImmediate(this.#flush)
    })
  }

  override async history(channel: string, query: HistoryQuery): Promise<HistoryResult> {
    const streams = this.#started()
    this.#flushQueue()
    return streams.read(channel, query, Date.now())
  }

  override async removeHistory(channel: string): Promise<void> {
    const streams = this.#started()
    this.#flushQueue()
    streams.remove(channel, Date.now())
  }

  /** Commits what is queued (those publishes resolve), then closes the file and stops timers. */
  override async close(): Promise<void> {
    if (!this.beginClose()) return
    clearInterval(this.#sweepTimer)
    try {
      this.#flushQueue()
    } finally {
      this.closeLocal()
      this.#streams = undefined
      this.#db?.close()
      this.#db = undefined
    }
  }

  /** Writes the queue in batches of at most `maxBatch`, each one transaction. Synchronous. */
  #flushQueue(): void {
    if (this.#flushScheduled !== undefined) {
      clearImmediate(this.#flushScheduled)
      this.#flushScheduled = undefined
    }
    const queue = this.#queue
    if (queue.length === 0) return
    this.#queue = []
    const maxBatch = this.#options.maxBatch
    for (let start = 0; start < queue.length; start += maxBatch) {
      this.#commit(queue.length <= maxBatch ? queue : queue.slice(start, start + maxBatch))
    }
  }

  /** The file reached `maxFileBytes` (or the disk is full): a refusal the caller can report. */
  #full(cause: unknown): EngineUnavailableError {
    const cap = this.#options.maxFileBytes
    const detail = cap === undefined ? 'the disk is full' : `the data file reached engine.sqlite.maxFileBytes (${cap} bytes)`
    return new EngineUnavailableError(this.name, detail, { cause })
  }

  #commit(batch: PendingPublish[]): void {
    const streams = this.#streams
    if (streams === undefined) {
      const error = new EngineClosedError(this.name)
      for (const item of batch) item.reject(error)
      return
    }
    try {
      streams.appendBatch(batch, Date.now(), this.#wants)
    } catch (error) {
      const refusal = (error as { code?: unknown }).code === 'SQLITE_FULL' ? this.#full(error) : error
      for (const item of batch) item.reject(refusal)
      return
    }
    this.#stats.commits++
    this.#stats.publishes += batch.length
    for (const item of batch) {
      const result = item.result!
      item.resolve(result)
      if (item.publication !== undefined) {
        this.fanout.publication(item.channel, item.publication, { offset: result.offset, epoch: result.epoch })
      }
    }
  }

  #sweep(): void {
    const nowMs = Date.now()
    this.sweepPresence(nowMs)
    try {
      this.#streams?.sweep(nowMs)
    } catch (error) {
      // A failed sweep (e.g. disk full) is retried on the next tick; publishes report their own errors.
      process.emitWarning(`sqlite engine sweep failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  #started(): SqliteStreams {
    this.assertOpen()
    if (this.#streams === undefined) throw new Error('sqlite engine not started')
    return this.#streams
  }
}

export function createSqliteEngine(options: SqliteEngineOptions): SqliteEngine {
  return new SqliteEngine(options)
}
