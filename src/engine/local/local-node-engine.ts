/** The half every one-node engine shares: local fan-out, presence and the closed state. */
import type {
  ClientInfo,
  ControlMessage,
  Engine,
  EngineCapabilities,
  EngineHandler,
  HistoryQuery,
  HistoryResult,
  PresenceStats,
  PublishOptions,
  PublishResult,
} from '../types.js'
import { type HandlerErrorReporter, LocalFanout, warnHandlerError } from './local-fanout.js'
import { PresenceStore } from './presence-store.js'

/**
 * Thrown (as a rejection) by every engine method called after `close()` began, and by publishes
 * still queued when the engine could not write them. Not a peer's mistake: the hub treats it as
 * "service shutting down". `code` is stable; match on it, not on the message.
 */
export class EngineClosedError extends Error {
  readonly code = 'ENGINE_CLOSED'

  constructor(engineName: string) {
    super(`${engineName} engine is closed`)
    this.name = 'EngineClosedError'
  }
}

/**
 * The node-local half shared by the one-node engines: fan-out to this node's hub through a
 * `LocalFanout`, presence in a `PresenceStore`, and the closed state. Join/leave/control,
 * subscribe/unsubscribe and presence are implemented here once; a subclass adds its streams
 * (`publish`, `history`, `removeHistory`), `start` and `close`.
 *
 * Every method here rejects with `EngineClosedError` once `beginClose()` was called.
 */
export abstract class LocalNodeEngine implements Engine {
  abstract readonly name: string
  abstract readonly capabilities: EngineCapabilities
  /** The node's subscriptions and delivery queue; subclasses feed publications into it. */
  protected readonly fanout: LocalFanout
  readonly #presence = new PresenceStore()
  #closed = false

  constructor(onHandlerError: HandlerErrorReporter | undefined) {
    this.fanout = new LocalFanout(onHandlerError ?? warnHandlerError)
  }

  abstract start(handler: EngineHandler): Promise<void>
  abstract publish(channel: string, data: string, options: PublishOptions): Promise<PublishResult>
  abstract history(channel: string, query: HistoryQuery): Promise<HistoryResult>
  abstract removeHistory(channel: string): Promise<void>
  abstract close(): Promise<void>

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    this.assertOpen()
    this.fanout.join(channel, info)
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    this.assertOpen()
    this.fanout.leave(channel, info)
  }

  async publishControl(message: ControlMessage): Promise<void> {
    this.assertOpen()
    this.fanout.control(message)
  }

  async subscribe(channel: string): Promise<void> {
    this.assertOpen()
    this.fanout.subscribe(channel)
  }

  async unsubscribe(channel: string): Promise<void> {
    this.assertOpen()
    this.fanout.unsubscribe(channel)
  }

  async addPresence(channel: string, info: ClientInfo, ttlMs: number): Promise<void> {
    this.assertOpen()
    this.#presence.add(channel, info, ttlMs, Date.now())
  }

  async removePresence(channel: string, clientId: string): Promise<void> {
    this.assertOpen()
    this.#presence.remove(channel, clientId)
  }

  async presence(channel: string): Promise<Record<string, ClientInfo>> {
    this.assertOpen()
    return this.#presence.list(channel, Date.now())
  }

  async presenceStats(channel: string): Promise<PresenceStats> {
    this.assertOpen()
    return this.#presence.stats(channel, Date.now())
  }

  protected get closed(): boolean {
    return this.#closed
  }

  /** Marks the engine closed; false if it already was (close is idempotent). */
  protected beginClose(): boolean {
    if (this.#closed) return false
    this.#closed = true
    return true
  }

  /** Drops subscriptions, queued deliveries and presence: nothing reaches the handler afterwards. */
  protected closeLocal(): void {
    this.fanout.close()
    this.#presence.clear()
  }

  /** Frees expired presence entries. */
  protected sweepPresence(nowMs: number): void {
    this.#presence.sweep(nowMs)
  }

  protected assertOpen(): void {
    if (this.#closed) throw new EngineClosedError(this.name)
  }
}
