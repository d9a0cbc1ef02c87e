/** `MemoryEngine`: the one-node engine that keeps history in memory. */
import { DEFAULT_IDEMPOTENCY_WINDOW_MS, memoryEngineDefaults } from '../options.js'
import type { HandlerErrorReporter } from '../local/local-fanout.js'
import { LocalNodeEngine } from '../local/local-node-engine.js'
import { streamMetaTtlMs } from '../local/stream-retention.js'
import { UnknownEpochs } from '../local/unknown-epochs.js'
import type { EngineCapabilities, EngineHandler, HistoryQuery, HistoryResult, Publication, PublishOptions, PublishResult } from '../types.js'
import { MemoryStream } from './memory-stream.js'

export type MemoryEngineOptions = {
  /** How often expired history, idempotency keys, idle streams and presence are freed. */
  sweepIntervalMs?: number
  /** How long an idle stream published without a history TTL keeps its offset and epoch. */
  idleStreamTtlMs?: number
  /**
   * How long an idle stream with history keeps its offset and epoch after its last publish, at
   * least its `historyTtlMs` (default 30 days, Centrifugo's `history_meta_ttl`).
   */
  historyMetaTtlMs?: number
  /** Idempotency keys remembered per channel at most (oldest dropped first). */
  maxIdempotencyKeys?: number
  /** Receives what the handler threw while an event was delivered. */
  onHandlerError?: HandlerErrorReporter
}

/** Counters for tests and metrics. */
export type MemoryEngineStats = {
  /** Streams held (channels published to and not yet forgotten). */
  streams: number
  /** Epochs remembered for channels read but never published to (bounded). */
  unknownEpochs: number
}

/**
 * The one-node engine: everything in this process's memory, nothing survives a restart.
 *
 * - History per channel is bounded by the publish's `historySize` and `historyTtlMs`; expired
 *   entries are skipped on read and freed by a sweep timer (unref'd, so it never holds the
 *   process open).
 * - Only `publish` creates a stream: reading a channel never published to stores nothing and
 *   reports offset 0 with an epoch the first publish adopts (`UnknownEpochs`).
 * - Epochs are random per channel, made at first use: a new process (or a stream forgotten after
 *   being idle and empty past its meta TTL, see `streamMetaTtlMs`, and subscribed nowhere on this
 *   node) starts a new epoch, which tells clients their positions are void.
 * - Offsets are assigned synchronously inside `publish`, so they are gap-free and in call order.
 * - Fan-out goes through `LocalFanout`: asynchronous, in the order publishes were accepted
 *   (offset order per channel), delivered in a microtask after `publish` has updated the stream —
 *   the handler never runs inside `publish`, and a publish's events never overtake an earlier one's.
 *   Join/leave, control, subscriptions and presence come from `LocalNodeEngine`.
 */
export class MemoryEngine extends LocalNodeEngine {
  readonly name = 'memory'
  readonly capabilities: EngineCapabilities = { durable: false, distributed: false }
  readonly #streams = new Map<string, MemoryStream>()
  readonly #unknownEpochs = new UnknownEpochs((channel) => this.fanout.isSubscribed(channel))
  readonly #options: Required<Omit<MemoryEngineOptions, 'onHandlerError'>>
  #sweepTimer: NodeJS.Timeout | undefined

  constructor(options: MemoryEngineOptions = {}) {
    super(options.onHandlerError)
    this.#options = {
      sweepIntervalMs: options.sweepIntervalMs ?? memoryEngineDefaults.sweepIntervalMs,
      idleStreamTtlMs: options.idleStreamTtlMs ?? memoryEngineDefaults.idleStreamTtlMs,
      historyMetaTtlMs: options.historyMetaTtlMs ?? memoryEngineDefaults.historyMetaTtlMs,
      maxIdempotencyKeys: options.maxIdempotencyKeys ?? memoryEngineDefaults.maxIdempotencyKeys,
    }
  }

  get stats(): MemoryEngineStats {
    return { streams: this.#streams.size, unknownEpochs: this.#unknownEpochs.size }
  }

  override async start(handler: EngineHandler): Promise<void> {
    this.assertOpen()
    this.fanout.attach(handler)
    this.#sweepTimer = setInterval(() => this.#sweep(), this.#options.sweepIntervalMs)
    this.#sweepTimer.unref()
  }

  override async publish(channel: string, data: string, options: PublishOptions): Promise<PublishResult> {
    this.assertOpen()
    const nowMs = Date.now()
    const stream = this.#stream(channel, nowMs)
    const key = options.idempotencyKey
    if (key !== undefined) {
      const offset = stream.findKey(key, nowMs)
      if (offset !== undefined) return { offset, epoch: stream.epoch, duplicate: true }
    }
    const offset = ++stream.top
    const publication: Publication = { offset, data, timeMs: nowMs }
    if (options.info !== undefined) publication.info = options.info
    if (options.tags !== undefined) publication.tags = options.tags
    stream.append(publication, options.historySize, options.historyTtlMs, nowMs)
    stream.lastWriteMs = nowMs
    stream.idleTtlMs = streamMetaTtlMs(options.historyTtlMs, this.#options)
    if (key !== undefined) {
      stream.rememberKey(key, offset, options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS, nowMs)
    }
    const epoch = stream.epoch
    this.fanout.publication(channel, publication, { offset, epoch })
    return { offset, epoch, duplicate: false }
  }

  override async history(channel: string, query: HistoryQuery): Promise<HistoryResult> {
    this.assertOpen()
    const stream = this.#streams.get(channel)
    if (stream === undefined) return { offset: 0, epoch: this.#unknownEpochs.peek(channel), publications: [] }
    const position = { offset: stream.top, epoch: stream.epoch }
    if (query.since !== undefined && query.since.epoch !== stream.epoch) return { ...position, publications: [] }
    return { ...position, publications: stream.read(query, Date.now()) }
  }

  override async removeHistory(channel: string): Promise<void> {
    this.assertOpen()
    this.#streams.get(channel)?.clear()
  }

  override async close(): Promise<void> {
    if (!this.beginClose()) return
    clearInterval(this.#sweepTimer)
    this.closeLocal()
    this.#streams.clear()
    this.#unknownEpochs.clear()
  }

  /** The channel's stream, made at its first publish (in the epoch reads reported, if any). */
  #stream(channel: string, nowMs: number): MemoryStream {
    let stream = this.#streams.get(channel)
    if (stream === undefined) {
      stream = new MemoryStream(this.#unknownEpochs.take(channel), nowMs, this.#options.idleStreamTtlMs, this.#options.maxIdempotencyKeys)
      this.#streams.set(channel, stream)
    }
    return stream
  }

  #sweep(): void {
    const nowMs = Date.now()
    for (const [channel, stream] of this.#streams) {
      // A stream subscribed here is kept however quiet: its subscribers hold positions in its epoch.
      if (stream.sweep(nowMs) && !this.fanout.isSubscribed(channel)) this.#streams.delete(channel)
    }
    this.sweepPresence(nowMs)
  }
}

export function createMemoryEngine(options: MemoryEngineOptions = {}): MemoryEngine {
  return new MemoryEngine(options)
}
