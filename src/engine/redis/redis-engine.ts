/** `RedisEngine`: the distributed engine; several nodes share history, presence and fan-out through Redis. */
import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from '../../logger.js'
import { EngineUnavailableError } from '../engine-errors.js'
import { type HandlerErrorReporter, LocalFanout, warnHandlerError } from '../local/local-fanout.js'
import { EngineClosedError } from '../local/local-node-engine.js'
import { streamMetaTtlMs } from '../local/stream-retention.js'
import { newEpoch } from '../local/unknown-epochs.js'
import { DEFAULT_IDEMPOTENCY_WINDOW_MS, redisEngineDefaults } from '../options.js'
import type {
  ClientInfo,
  ControlMessage,
  Engine,
  EngineCapabilities,
  EngineHandler,
  HistoryQuery,
  HistoryResult,
  PresenceStats,
  Publication,
  PublishOptions,
  PublishResult,
} from '../types.js'
import { CommandBatcher, type BatcherStats } from './command-batcher.js'
import { encodeJoin, encodeLeave, encodeMeta, publicationOf } from './frame.js'
import { isUnavailable, quit, ready, sentinelOptions } from './connection.js'
import { RedisDelivery } from './redis-delivery.js'
import { RedisKeys } from './redis-keys.js'
import { defineScripts } from './scripts.js'

export type RedisEngineOptions = {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url?: string
  /** Prefix of every key and pub/sub channel, so several deployments can share one Redis. */
  keyPrefix?: string
  /**
   * Redis Sentinel: `host:port` of each sentinel. When set, the master is asked of them (and asked
   * again after a failover); `url` then gives only the credentials and database.
   */
  sentinels?: string[]
  /** The master's name in Sentinel (`sentinel monitor <name> …`). */
  sentinelName?: string
  /** How long `start()` waits for Redis (retrying) before it fails. */
  connectTimeoutMs?: number
  /** A command without a reply after this long fails (as engine unavailable). */
  commandTimeoutMs?: number
  /** Most commands in one pipeline of the publish path. */
  maxPipelineCommands?: number
  /** Most publications read per channel to fill a node's gap after a reconnect. */
  gapFillLimit?: number
  /** How long an idle stream published without a history TTL keeps its offset and epoch. */
  idleStreamTtlMs?: number
  /** How long an idle stream with history keeps its offset and epoch after its last publish (at least its history TTL). */
  historyMetaTtlMs?: number
  /** Receives what the handler threw while an event was delivered. */
  onHandlerError?: HandlerErrorReporter
  /** Connection losses and recoveries are logged here. */
  logger?: Logger
}

/** Counters for tests, metrics and the benchmark. */
export type RedisEngineStats = BatcherStats & {
  /** Reconnects of the subscriber connection that ended with every channel subscribed again. */
  resyncs: number
}

/**
 * The distributed engine, on one Redis server (key layout in `redis-keys.ts`, operations in docs/cluster.md):
 *
 * - History is one Redis Stream per channel (entry id = offset), trimmed to `historySize` and
 *   expiring per entry after `historyTtlMs`; offset and epoch live in a meta hash beside it.
 *   `publish` runs one Lua script per publication (idempotency check, epoch, offset, append,
 *   PUBLISH of the frame), so offsets are gap-free and every node sees a channel in offset order.
 * - Publishes, join/leave and control share a `CommandBatcher`: one round trip carries every
 *   command queued while the previous one was in flight.
 * - Fan-out to nodes is Redis pub/sub on a dedicated connection (`RedisDelivery`), each channel
 *   subscribed once per node; control messages go on one control channel every node subscribes,
 *   the sender included.
 * - Presence is a hash of entries, a zset of expiry times and a hash of per-user connection
 *   counts per channel, so stats and per-user checks are O(1).
 * - Failures are never hidden: the command connection queues nothing while Redis is away and never
 *   resends a command after a reconnect, so a call made while Redis is unreachable rejects with
 *   `EngineUnavailableError` and a publish that resolved was stored. When the subscriber
 *   connection returns, channels are subscribed again and gaps filled or reported
 *   (`EngineHandler.onStreamGap`). A Redis that lost its data gives channels new epochs.
 * - While a channel is subscribed on this node its meta is kept alive (a timer restarts its TTL),
 *   so its subscribers' epoch holds however quiet the channel.
 * - Unlike the one-node engines, reading a channel never published to stores its epoch (offset
 *   0) in Redis for `idleStreamTtlMs`, so every node reports the same epoch and the first publish,
 *   on any node, adopts it. Bounded by time, not by count.
 */
export class RedisEngine implements Engine {
  readonly name = 'redis'
  readonly capabilities: EngineCapabilities = { durable: true, distributed: true }
  readonly #options: Required<Omit<RedisEngineOptions, 'onHandlerError' | 'logger' | 'sentinels'>> & { sentinels: string[] }
  readonly #logger: Logger | undefined
  readonly #keys: RedisKeys
  readonly #fanout: LocalFanout
  #client: Redis | undefined
  #sub: Redis | undefined
  #batcher: CommandBatcher | undefined
  #delivery: RedisDelivery | undefined
  #keepAlive: NodeJS.Timeout | undefined
  #closed = false

  constructor(options: RedisEngineOptions = {}) {
    this.#options = {
      url: options.url ?? redisEngineDefaults.url,
      keyPrefix: options.keyPrefix ?? redisEngineDefaults.keyPrefix,
      sentinels: options.sentinels ?? [],
      sentinelName: options.sentinelName ?? redisEngineDefaults.sentinelName,
      connectTimeoutMs: options.connectTimeoutMs ?? redisEngineDefaults.connectTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs ?? redisEngineDefaults.commandTimeoutMs,
      maxPipelineCommands: options.maxPipelineCommands ?? redisEngineDefaults.maxPipelineCommands,
      gapFillLimit: options.gapFillLimit ?? redisEngineDefaults.gapFillLimit,
      idleStreamTtlMs: options.idleStreamTtlMs ?? redisEngineDefaults.idleStreamTtlMs,
      historyMetaTtlMs: options.historyMetaTtlMs ?? redisEngineDefaults.historyMetaTtlMs,
    }
    this.#logger = options.logger
    this.#keys = new RedisKeys(this.#options.keyPrefix)
    this.#fanout = new LocalFanout(options.onHandlerError ?? warnHandlerError)
  }

  get stats(): RedisEngineStats {
    return { ...(this.#batcher?.stats ?? { roundTrips: 0, commands: 0 }), resyncs: this.#delivery?.resyncs ?? 0 }
  }

  /** True while both connections to Redis are up (for `/readyz`). */
  get connected(): boolean {
    return this.#client?.status === 'ready' && this.#sub?.status === 'ready'
  }

  /**
   * Connects the command and subscriber connections, retrying until `connectTimeoutMs`; rejects
   * with `EngineUnavailableError` (and releases both) if Redis is not reachable by then.
   */
  async start(handler: EngineHandler): Promise<void> {
    this.#assertOpen()
    const common: RedisOptions = {
      connectTimeout: Math.min(this.#options.connectTimeoutMs, 10_000),
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      // A master demoted by a failover answers writes with READONLY: reconnect (to the new master), never resend.
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
      ...sentinelOptions(this.#options.sentinels, this.#options.sentinelName),
    }
    const client = new Redis(this.#options.url, {
      ...common,
      commandTimeout: this.#options.commandTimeoutMs,
      autoResendUnfulfilledCommands: false,
      connectionName: `${this.#options.keyPrefix}:commands`,
    })
    const sub = new Redis(this.#options.url, { ...common, autoResubscribe: false, connectionName: `${this.#options.keyPrefix}:pubsub` })
    this.#client = client
    this.#sub = sub
    defineScripts(client)
    this.#watch(client, 'commands')
    this.#watch(sub, 'pubsub')
    this.#batcher = new CommandBatcher(client, this.#options.maxPipelineCommands, this.#mapError)
    this.#delivery = new RedisDelivery(
      sub,
      this.#keys,
      this.#fanout,
      (channel, since, limit) => this.history(channel, { since, limit }),
      { gapFillLimit: this.#options.gapFillLimit, resubscribeBatch: 512 },
      this.#logger,
    )
    try {
      await Promise.all([ready(client, this.#options.connectTimeoutMs), ready(sub, this.#options.connectTimeoutMs)])
      await this.#delivery.start()
    } catch (error) {
      await Promise.all([quit(client), quit(sub)])
      throw this.#mapError(error)
    }
    this.#fanout.attach(handler)
    const interval = Math.max(10, Math.floor(Math.min(this.#options.historyMetaTtlMs, this.#options.idleStreamTtlMs) / 3))
    this.#keepAlive = setInterval(() => this.#touchSubscribed(), interval)
    this.#keepAlive.unref()
  }

  async publish(channel: string, data: string, options: PublishOptions): Promise<PublishResult> {
    const batcher = this.#ready()
    const nowMs = Date.now()
    const key = options.idempotencyKey
    const windowMs = key === undefined ? 0 : (options.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS)
    const keys = this.#keys
    const [offset, epoch, duplicate] = await batcher.run<[number, string, number]>((p) =>
      p.sprocketPublish(
        keys.stream(channel),
        keys.meta(channel),
        keys.result(channel, key ?? ''),
        data,
        encodeMeta(nowMs, options.info, options.tags),
        options.historySize,
        options.historyTtlMs,
        streamMetaTtlMs(options.historyTtlMs, this.#options),
        newEpoch(),
        keys.pubsub(channel),
        windowMs,
        nowMs,
      ),
    )
    return { offset: Number(offset), epoch, duplicate: duplicate === 1 }
  }

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    await this.#ready().run((p) => p.publish(this.#keys.pubsub(channel), encodeJoin(info)))
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    await this.#ready().run((p) => p.publish(this.#keys.pubsub(channel), encodeLeave(info)))
  }

  async publishControl(message: ControlMessage): Promise<void> {
    await this.#ready().run((p) => p.publish(this.#keys.control, JSON.stringify(message)))
  }

  async subscribe(channel: string): Promise<void> {
    this.#ready()
    await this.#call(() => this.#delivery!.subscribe(channel))
  }

  async unsubscribe(channel: string): Promise<void> {
    this.#ready()
    await this.#call(() => this.#delivery!.unsubscribe(channel))
  }

  async history(channel: string, query: HistoryQuery): Promise<HistoryResult> {
    this.#ready()
    const { since } = query
    const reverse = query.reverse === true
    let limit = query.limit
    let lower = '-'
    let upper = '+'
    if (since !== undefined) {
      if (!reverse) lower = String(since.offset + 1)
      else if (since.offset <= 1) limit = 0
      else upper = String(since.offset - 1)
    }
    const [top, epoch, entries] = await this.#call(() =>
      this.#client!.sprocketHistory(
        this.#keys.stream(channel),
        this.#keys.meta(channel),
        newEpoch(),
        this.#options.idleStreamTtlMs,
        since?.epoch ?? '',
        limit,
        reverse ? '1' : '0',
        lower,
        upper,
        Date.now(),
      ),
    )
    return { offset: Number(top), epoch, publications: entries.map(entryToPublication) }
  }

  async removeHistory(channel: string): Promise<void> {
    this.#ready()
    await this.#call(() => this.#client!.del(this.#keys.stream(channel)))
  }

  async addPresence(channel: string, info: ClientInfo, ttlMs: number): Promise<number> {
    this.#ready()
    return await this.#call(() => this.#client!.sprocketPresenceAdd(...this.#keys.presence(channel), Date.now(), info.client, JSON.stringify(info), info.user, ttlMs))
  }

  async removePresence(channel: string, clientId: string): Promise<number | void> {
    this.#ready()
    const left = await this.#call(() => this.#client!.sprocketPresenceRemove(...this.#keys.presence(channel), Date.now(), clientId))
    return left === null ? undefined : Number(left)
  }

  async presence(channel: string): Promise<Record<string, ClientInfo>> {
    this.#ready()
    const flat = await this.#call(() => this.#client!.sprocketPresenceGet(...this.#keys.presence(channel), Date.now()))
    const result: Record<string, ClientInfo> = {}
    for (let i = 0; i + 1 < flat.length; i += 2) result[flat[i]!] = JSON.parse(flat[i + 1]!) as ClientInfo
    return result
  }

  async presenceStats(channel: string): Promise<PresenceStats> {
    this.#ready()
    const [numClients, numUsers] = await this.#call(() => this.#client!.sprocketPresenceStats(...this.#keys.presence(channel), Date.now()))
    return { numClients: Number(numClients), numUsers: Number(numUsers) }
  }

  async userConnections(channel: string, user: string): Promise<number> {
    this.#ready()
    return Number(await this.#call(() => this.#client!.sprocketUserConnections(...this.#keys.presence(channel), Date.now(), user)))
  }

  /** Waits for publishes in flight (bounded by the command timeout), then closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#keepAlive)
    await this.#batcher?.drained()
    this.#fanout.close()
    await Promise.all([quit(this.#client), quit(this.#sub)])
  }

  /** Restarts the meta TTL of every channel subscribed here, so their positions are never forgotten. */
  #touchSubscribed(): void {
    const client = this.#client
    if (client === undefined || client.status !== 'ready') return
    const channels = this.#fanout.subscribed()
    if (channels.length === 0) return
    const pipeline = client.pipeline()
    for (const channel of channels) pipeline.sprocketTouchMeta(this.#keys.meta(channel))
    pipeline.exec().catch((error: unknown) => this.#logger?.warn({ err: error }, 'redis engine: keeping positions alive failed'))
  }

  #watch(connection: Redis, role: string): void {
    let lost = false
    // Without a listener ioredis would print every connection error; they are summed up here.
    connection.on('error', () => undefined)
    connection.on('close', () => {
      if (this.#closed || lost) return
      lost = true
      this.#logger?.warn({ role }, 'redis engine: connection lost; calls fail until it is back')
    })
    connection.on('ready', () => {
      if (!lost) return
      lost = false
      this.#logger?.info({ role }, 'redis engine: connection back')
    })
  }

  /** Redis unreachable or refusing writes becomes `EngineUnavailableError`; anything else is a bug and stays as it is. */
  readonly #mapError = (error: unknown): unknown => {
    if (error instanceof EngineUnavailableError || error instanceof EngineClosedError) return error
    const message = error instanceof Error ? error.message : String(error)
    if (isUnavailable(message) || this.#client?.status !== 'ready') return new EngineUnavailableError(this.name, message, { cause: error })
    return error
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (error) {
      throw this.#mapError(error)
    }
  }

  /** The batcher, once started and not closed; throws the reason otherwise. */
  #ready(): CommandBatcher {
    this.#assertOpen()
    if (this.#batcher === undefined) throw new Error('redis engine used before start()')
    return this.#batcher
  }

  #assertOpen(): void {
    if (this.#closed) throw new EngineClosedError(this.name)
  }
}

function entryToPublication([id, fields]: [string, string[]]): Publication {
  let data = ''
  let meta = '{"t":0}'
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'd') data = fields[i + 1]!
    else if (fields[i] === 'm') meta = fields[i + 1]!
  }
  return publicationOf(Number.parseInt(id, 10), data, meta)
}

export function createRedisEngine(options: RedisEngineOptions = {}): RedisEngine {
  return new RedisEngine(options)
}
