/**
 * Executes decoded server API methods against the hub (publish, broadcast, presence, history, control).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { ErrorReason, PeerError } from '../../errors.js'
import type { ControlKindMessage } from '../../hub/control-messages.js'
import type { NodeInfo } from '../../hub/node-registry.js'
import type { HubApi } from '../../hub/types.js'
import { ErrorCode, errorCodeOf } from '../../protocol/centrifuge/index.js'
import { apiDefaults } from './api-options.js'
import { compileChannelPattern, type ChannelMatcher } from './glob.js'
import { isApiMethod, parseRequest, type ApiMethod, type ApiRequest } from './requests.js'
import { toWireClientInfo, toWirePublication } from './wire.js'

/** Control messages the API sends to every node's hub; the native protocol acts on them. */
type ApiControlMessage = ControlKindMessage

/** What the API needs of the hub: the contract, plus namespace lookup when the hub offers it (102 checks). */
export type ServerApiHub = HubApi & { channelOptions?(channel: string): unknown }

/** Figures for the `info` method that only the server (not the hub) knows. */
export type NodeStats = { numClients: number; numUsers: number }

export type ServerApiExecutorOptions = {
  hub: ServerApiHub
  /**
   * Every live node (a `NodeRegistry`'s `nodes()`), this one first: `info` lists them. Absent,
   * `info` describes this node alone from the options below.
   */
  nodes?: () => NodeInfo[]
  /**
   * Subscriber counts per channel over every node (a `ChannelSurvey`); absent, `channels` counts
   * this node's subscribers only.
   */
  clusterChannels?: () => Promise<Map<string, number>>
  /** Live connection counts of this node; absent → reported as 0. */
  nodeStats?: () => NodeStats
  /** Node name in `info`; default the host name. */
  nodeName?: string
  /** Default: package.json's version. */
  version?: string
  /** Hears failures that are not a peer's mistake (each becomes error 100 in its reply). */
  onBug?: (error: unknown, method: string) => void
  /** Hears every method run (alone or in a batch) with its result: `ok` or the error code. */
  onCall?: (method: string, result: string) => void
  /** Most commands one `batch` may carry. Default `apiDefaults.maxBatchCommands`. */
  maxBatchCommands?: number | undefined
  /** Reply bytes after which a `batch`'s remaining commands are refused unrun. Default `apiDefaults.maxBatchReplyBytes`. */
  maxBatchReplyBytes?: number | undefined
}

/** Commands of a `parallel` batch that run at once: the batch's work and replies stay bounded. */
const BATCH_PARALLELISM = 16

export type ApiError = { code: number; message: string }
export type ApiReply = { result: unknown } | { error: ApiError }

/** Disconnect the server API's `disconnect` uses by default: terminal, no reconnect. */
const FORCE_DISCONNECT = { code: 3503, reason: 'force disconnect' } as const

/** The slot of a `batch` command left unrun because the replies reached `maxBatchReplyBytes`. */
const BATCH_BUDGET_USED_UP = { error: { code: ErrorCode.limitExceeded, message: 'reply budget of the batch used up' } }

/** History `limit: -1` asks for everything retained; the hub still caps it at `maxHistoryPage`. */
const HISTORY_ALL = Number.MAX_SAFE_INTEGER

function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(text) as { version: string }).version
}

function notAvailable(option: string): PeerError {
  return new PeerError(ErrorReason.notAvailable, `${option} is not supported`)
}

/**
 * Runs server API methods against the hub. Transport-free: the HTTP handler decodes the body and
 * calls `call`. A method either resolves to its `result` object or throws a `PeerError`
 * (anything else is a bug, which `reply` turns into 100 after the caller logged it).
 */
export class ServerApiExecutor {
  readonly #hub: ServerApiHub
  readonly #nodeStats: (() => NodeStats) | undefined
  readonly #nodes: (() => NodeInfo[]) | undefined
  readonly #clusterChannels: (() => Promise<Map<string, number>>) | undefined
  readonly #nodeName: string
  readonly #version: string
  readonly #onBug: (error: unknown, method: string) => void
  readonly #onCall: (method: string, result: string) => void
  readonly #maxBatchCommands: number
  readonly #maxBatchReplyBytes: number
  readonly #uid = randomUUID()
  readonly #startedMs = Date.now()

  constructor(options: ServerApiExecutorOptions) {
    this.#hub = options.hub
    this.#nodeStats = options.nodeStats
    this.#nodes = options.nodes
    this.#clusterChannels = options.clusterChannels
    this.#nodeName = options.nodeName ?? hostname()
    this.#version = options.version ?? packageVersion()
    this.#onBug = options.onBug ?? (() => {})
    this.#onCall = options.onCall ?? (() => {})
    this.#maxBatchCommands = options.maxBatchCommands ?? apiDefaults.maxBatchCommands
    this.#maxBatchReplyBytes = options.maxBatchReplyBytes ?? apiDefaults.maxBatchReplyBytes
  }

  /** Validates `body` for `method` and runs it. `batch` is handled by `batch()`, not here. */
  async call(method: Exclude<ApiMethod, 'batch'>, body: unknown): Promise<unknown> {
    switch (method) {
      case 'publish':
        return this.publish(parseRequest('publish', body))
      case 'broadcast':
        return this.broadcast(parseRequest('broadcast', body))
      case 'subscribe':
        return this.subscribe(parseRequest('subscribe', body))
      case 'unsubscribe':
        return this.unsubscribe(parseRequest('unsubscribe', body))
      case 'disconnect':
        return this.disconnect(parseRequest('disconnect', body))
      case 'refresh':
        return this.refresh(parseRequest('refresh', body))
      case 'presence':
        return this.presence(parseRequest('presence', body))
      case 'presence_stats':
        return this.presenceStats(parseRequest('presence_stats', body))
      case 'history':
        return this.history(parseRequest('history', body))
      case 'history_remove':
        return this.historyRemove(parseRequest('history_remove', body))
      case 'channels':
        return this.channels(parseRequest('channels', body))
      case 'info':
        parseRequest('info', body)
        return this.info()
      default: {
        const unreachable: never = method
        throw new PeerError(ErrorReason.methodNotFound, `unknown method ${String(unreachable)}`)
      }
    }
  }

  /**
   * Runs each command (`{"<method>": {...}}`) and answers one reply per command, in order:
   * `{"<method>": result}` or `{"error": {...}}`. Unknown or nested-batch commands are 104. More
   * than `maxBatchCommands` commands: refused whole (106). Once the replies reach
   * `maxBatchReplyBytes`, the remaining commands are answered 106 without running. `parallel`
   * runs `BATCH_PARALLELISM` commands at a time.
   */
  async batch(request: ApiRequest<'batch'>): Promise<{ replies: unknown[] }> {
    const { commands } = request
    if (commands.length > this.#maxBatchCommands) {
      throw new PeerError(ErrorReason.limitExceeded, `commands: more than ${this.#maxBatchCommands} in one batch`)
    }
    const replies: unknown[] = []
    let replyBytes = 0
    const step = request.parallel === true ? BATCH_PARALLELISM : 1
    for (let start = 0; start < commands.length; start += step) {
      const wave = commands.slice(start, start + step)
      if (replyBytes >= this.#maxBatchReplyBytes) {
        for (let i = 0; i < wave.length; i++) replies.push(BATCH_BUDGET_USED_UP)
        continue
      }
      for (const reply of await Promise.all(wave.map((command) => this.#batchReply(command)))) {
        replyBytes += JSON.stringify(reply).length
        replies.push(reply)
      }
    }
    return { replies }
  }

  async #batchReply(command: Record<string, unknown>): Promise<unknown> {
    const keys = Object.keys(command)
    const method = keys[0]
    if (keys.length !== 1 || method === undefined || !isApiMethod(method) || method === 'batch') {
      return { error: { code: ErrorCode.methodNotFound, message: 'method not found' } }
    }
    const reply = await this.reply(method, command[method])
    return 'error' in reply ? reply : { [method]: reply.result }
  }

  /** `call`, with failures folded into an error reply. */
  async reply(method: Exclude<ApiMethod, 'batch'>, body: unknown): Promise<ApiReply> {
    try {
      const result = await this.call(method, body)
      this.#onCall(method, 'ok')
      return { result }
    } catch (error) {
      const reply = this.#errorReply(error, method)
      this.#onCall(method, String(reply.error.code))
      return reply
    }
  }

  async publish(request: ApiRequest<'publish'>): Promise<{ offset?: number; epoch?: string }> {
    this.#refuseUnsupportedPublishOptions(request)
    return this.#publishOne(request.channel, JSON.stringify(request.data), request)
  }

  async broadcast(request: ApiRequest<'broadcast'>): Promise<{ responses: ApiReply[] }> {
    this.#refuseUnsupportedPublishOptions(request)
    const data = JSON.stringify(request.data)
    const responses = await Promise.all(
      request.channels.map(async (channel): Promise<ApiReply> => {
        try {
          if (channel === '') throw new PeerError(ErrorReason.badRequest, 'channels: empty channel name')
          return { result: await this.#publishOne(channel, data, request) }
        } catch (error) {
          return this.#errorReply(error, 'broadcast')
        }
      }),
    )
    return { responses }
  }

  async subscribe(request: ApiRequest<'subscribe'>): Promise<Record<string, never>> {
    if (request.session) throw notAvailable('session')
    if (request.info !== undefined || request.b64info) throw notAvailable('info')
    if (request.b64data) throw notAvailable('b64data')
    if (request.expire_at) throw notAvailable('expire_at')
    if (request.override !== undefined) throw notAvailable('override')
    this.#hub.channelOptions?.(request.channel)
    await this.#control({
      kind: 'subscribe',
      user: request.user,
      channel: request.channel,
      ...(request.client ? { client: request.client } : {}),
      ...(request.data !== undefined ? { data: request.data } : {}),
      ...(request.recover_since !== undefined ? { since: request.recover_since } : {}),
    })
    return {}
  }

  async unsubscribe(request: ApiRequest<'unsubscribe'>): Promise<Record<string, never>> {
    if (request.session) throw notAvailable('session')
    this.#hub.channelOptions?.(request.channel)
    await this.#control({ kind: 'unsubscribe', user: request.user, channel: request.channel, ...(request.client ? { client: request.client } : {}) })
    return {}
  }

  async disconnect(request: ApiRequest<'disconnect'>): Promise<Record<string, never>> {
    if (request.session) throw notAvailable('session')
    const { code, reason } = request.disconnect ?? FORCE_DISCONNECT
    await this.#control({
      kind: 'disconnect',
      user: request.user,
      ...(request.client ? { client: request.client } : {}),
      code,
      reason,
      ...(request.whitelist !== undefined && request.whitelist.length > 0 ? { whitelist: request.whitelist } : {}),
    })
    return {}
  }

  async refresh(request: ApiRequest<'refresh'>): Promise<Record<string, never>> {
    if (request.session) throw notAvailable('session')
    if (request.info !== undefined) throw notAvailable('info')
    await this.#control({
      kind: 'refresh',
      user: request.user,
      ...(request.client ? { client: request.client } : {}),
      ...(request.expire_at !== undefined ? { expireAt: request.expire_at } : {}),
      ...(request.expired !== undefined ? { expired: request.expired } : {}),
    })
    return {}
  }

  async presence(request: ApiRequest<'presence'>): Promise<{ presence: Record<string, unknown> }> {
    const entries = await this.#hub.presence(request.channel)
    const presence: Record<string, unknown> = {}
    for (const [clientId, info] of Object.entries(entries)) presence[clientId] = toWireClientInfo(info)
    return { presence }
  }

  async presenceStats(request: ApiRequest<'presence_stats'>): Promise<{ num_clients: number; num_users: number }> {
    const stats = await this.#hub.presenceStats(request.channel)
    return { num_clients: stats.numClients, num_users: stats.numUsers }
  }

  async history(request: ApiRequest<'history'>): Promise<{ publications: unknown[]; offset: number; epoch: string }> {
    const limit = request.limit === -1 ? HISTORY_ALL : (request.limit ?? 0)
    const result = await this.#hub.history(request.channel, {
      limit,
      ...(request.since !== undefined ? { since: request.since } : {}),
      ...(request.reverse !== undefined ? { reverse: request.reverse } : {}),
    })
    return { publications: result.publications.map(toWirePublication), offset: result.offset, epoch: result.epoch }
  }

  async historyRemove(request: ApiRequest<'history_remove'>): Promise<Record<string, never>> {
    await this.#hub.removeHistory(request.channel)
    return {}
  }

  async channels(request: ApiRequest<'channels'>): Promise<{ channels: Record<string, { num_clients: number }> }> {
    let pattern: ChannelMatcher
    try {
      pattern = compileChannelPattern(request.pattern ?? '')
    } catch (error) {
      throw new PeerError(ErrorReason.badRequest, `pattern: ${(error as Error).message}`)
    }
    const channels: Record<string, { num_clients: number }> = {}
    const counts = this.#clusterChannels === undefined ? this.#hub.channels() : await this.#clusterChannels()
    for (const [name, count] of counts) {
      if (pattern.test(name)) channels[name] = { num_clients: count }
    }
    return { channels }
  }

  info(): { nodes: unknown[] } {
    if (this.#nodes !== undefined) return { nodes: this.#nodes().map(toWireNode) }
    const channels = this.#hub.channels()
    let numSubs = 0
    for (const count of channels.values()) numSubs += count
    const stats = this.#nodeStats?.() ?? { numClients: 0, numUsers: 0 }
    return {
      nodes: [
        {
          uid: this.#uid,
          name: this.#nodeName,
          version: this.#version,
          num_clients: stats.numClients,
          num_users: stats.numUsers,
          num_channels: channels.size,
          num_subs: numSubs,
          uptime: Math.floor((Date.now() - this.#startedMs) / 1000),
        },
      ],
    }
  }

  /** A peer's mistake is answered with its reason's code; anything else is reported and answered as 100. */
  #errorReply(error: unknown, method: string): { error: ApiError } {
    if (error instanceof PeerError) return { error: { code: errorCodeOf(error.reason), message: error.message } }
    this.#onBug(error, method)
    return { error: { code: ErrorCode.internal, message: 'internal server error' } }
  }

  #refuseUnsupportedPublishOptions(request: ApiRequest<'publish'> | ApiRequest<'broadcast'>): void {
    if (request.b64data) throw notAvailable('b64data (binary payloads)')
    if (request.skip_history === true) throw notAvailable('skip_history')
    if (request.delta === true) throw notAvailable('delta')
    if (request.version || request.version_epoch) throw notAvailable('version')
  }

  async #publishOne(channel: string, data: string, request: ApiRequest<'publish'> | ApiRequest<'broadcast'>): Promise<{ offset?: number; epoch?: string }> {
    const result = await this.#hub.publish(channel, {
      data,
      ...(request.tags !== undefined && Object.keys(request.tags).length > 0 ? { tags: request.tags } : {}),
      ...(request.idempotency_key ? { idempotencyKey: request.idempotency_key } : {}),
    })
    return { offset: result.offset, epoch: result.epoch }
  }

  #control(message: ApiControlMessage): Promise<void> {
    return this.#hub.broadcastControl(message)
  }
}

function toWireNode(node: NodeInfo): Record<string, unknown> {
  return {
    uid: node.uid,
    name: node.name,
    version: node.version,
    num_clients: node.numClients,
    num_users: node.numUsers,
    num_channels: node.numChannels,
    num_subs: node.numSubs,
    uptime: node.uptimeSeconds,
  }
}
