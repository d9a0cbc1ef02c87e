/** This node's presence entries: kept fresh in the engine, join/leave announced per user. */
import type { ClientInfo, Engine } from '../engine/types.js'
import type { Logger } from '../logger.js'

/**
 * This node's presence entries: adds them to the engine, refreshes all of them with one timer
 * (every third of the TTL, so two refreshes may fail before an entry expires), removes them, and
 * announces join/leave per user rather than per connection.
 *
 * A join is published only when no other connection of the same user is present on the channel,
 * and a leave only when the last one goes. On a single-node engine (`capabilities.distributed`
 * false) this node's own count is the whole truth, so the check costs O(1). On a distributed
 * engine that counts connections per user (`Engine.userConnections`, as Redis does), the count
 * returned by the add or removal itself decides, atomically across nodes: a join when it is 1, a
 * leave when it is 0. On another distributed engine, when the user has no local connection, the
 * check reads the engine's presence (O(channel size) per join and per last local leave), and two
 * nodes racing for the same user may both announce (rare, and harmless to clients). Changes for one
 * (channel, user) are serialized on this node.
 * Anonymous connections (user '') are each their own member.
 *
 * Leaves are debounced (`leaveDebounceMs`): the leave of a user's last connection is published
 * only if they are still absent that long after, and a join within it publishes nothing, so a
 * page reload or a connection churning subscribe/unsubscribe costs the other members no events.
 */
export class PresenceTracker {
  readonly #engine: Engine
  readonly #ttlMs: number
  readonly #logger: Logger
  readonly #entries = new Map<string, { channel: string; info: ClientInfo }>()
  readonly #locks = new Map<string, Promise<void>>()
  readonly #localUsers = new Map<string, number>()
  #leaveDebounceMs: number
  /** Leaves waiting out the debounce, by (channel, member). */
  readonly #pendingLeaves = new Map<string, { timer: NodeJS.Timeout; channel: string; info: ClientInfo }>()
  #timer: NodeJS.Timeout | undefined
  #refreshing = false

  readonly #announced: (type: 'join' | 'leave', channel: string, info: ClientInfo) => void

  /** `announced` is told of every join and leave this node publishes, after it is published. */
  constructor(
    engine: Engine,
    ttlMs: number,
    logger: Logger,
    leaveDebounceMs = 0,
    announced: (type: 'join' | 'leave', channel: string, info: ClientInfo) => void = () => {},
  ) {
    this.#engine = engine
    this.#ttlMs = ttlMs
    this.#logger = logger
    this.#leaveDebounceMs = leaveDebounceMs
    this.#announced = announced
  }

  /** Entries this node keeps alive. */
  get size(): number {
    return this.#entries.size
  }

  /** Adds the connection's entry; with `announce`, publishes a join if the user was absent. */
  join(channel: string, info: ClientInfo, announce: boolean): Promise<void> {
    return this.#serial(channel, info.user, async () => {
      // A leave not yet published means the others still see the member: nothing to announce.
      const returning = announce && this.#cancelPendingLeave(channel, info)
      const counted = this.#counted(info)
      const first = announce && !returning && !counted && !(await this.#userPresent(channel, info))
      const key = entryKey(channel, info.client)
      const fresh = !this.#entries.has(key)
      if (fresh) this.#count(channel, info.user, +1)
      this.#entries.set(key, { channel, info })
      this.#startTimer()
      let after: number | void
      try {
        after = await this.#engine.addPresence(channel, info, this.#ttlMs)
      } catch (error) {
        if (fresh) this.#forget(channel, info)
        throw error
      }
      if (announce && !returning && (counted ? after === 1 : first)) {
        await this.#engine.publishJoin(channel, info)
        this.#announced('join', channel, info)
      }
    })
  }

  /** Removes the connection's entry; with `announce`, publishes a leave if it was the user's last. */
  leave(channel: string, info: ClientInfo, announce: boolean): Promise<void> {
    return this.#serial(channel, info.user, async () => {
      this.#forget(channel, info)
      const after = await this.#engine.removePresence(channel, info.client)
      if (!announce) return
      const last = this.#counted(info) && typeof after === 'number' ? after === 0 : await this.#absent(channel, info)
      if (!last) return
      if (this.#leaveDebounceMs <= 0) return this.#publishLeave(channel, info)
      this.#cancelPendingLeave(channel, info)
      const timer = setTimeout(() => void this.#publishPendingLeave(channel, info), this.#leaveDebounceMs)
      timer.unref()
      this.#pendingLeaves.set(memberKey(channel, info), { timer, channel, info })
    })
  }

  /**
   * Publishes every debounced leave now, and later leaves at once: the node is closing, nobody
   * can come back through it.
   */
  async flushLeaves(): Promise<void> {
    this.#leaveDebounceMs = 0
    const pending = [...this.#pendingLeaves.values()]
    for (const { timer } of pending) clearTimeout(timer)
    this.#pendingLeaves.clear()
    const results = await Promise.allSettled(pending.map(({ channel, info }) => this.#publishLeave(channel, info)))
    const failed = results.filter((result) => result.status === 'rejected').length
    if (failed > 0) this.#logger.warn({ failed, total: pending.length }, 'leave announcements failed at close')
  }

  async #publishLeave(channel: string, info: ClientInfo): Promise<void> {
    await this.#engine.publishLeave(channel, info)
    this.#announced('leave', channel, info)
  }

  /** True when a debounced leave of this member was waiting (it is now dropped). */
  #cancelPendingLeave(channel: string, info: ClientInfo): boolean {
    const key = memberKey(channel, info)
    const pending = this.#pendingLeaves.get(key)
    if (pending === undefined) return false
    clearTimeout(pending.timer)
    this.#pendingLeaves.delete(key)
    return true
  }

  #publishPendingLeave(channel: string, info: ClientInfo): Promise<void> {
    return this.#serial(channel, info.user, async () => {
      const key = memberKey(channel, info)
      if (this.#pendingLeaves.get(key)?.info !== info) return
      this.#pendingLeaves.delete(key)
      if (await this.#absent(channel, info)) await this.#publishLeave(channel, info)
    }).catch((error: unknown) => this.#logger.warn({ err: error, channel }, 'debounced leave announcement failed'))
  }

  /** Re-adds every entry now; the timer calls it. Overlapping runs are skipped. */
  async refresh(): Promise<void> {
    if (this.#refreshing) return
    this.#refreshing = true
    try {
      const entries = [...this.#entries.values()]
      const results = await Promise.allSettled(entries.map((e) => this.#engine.addPresence(e.channel, e.info, this.#ttlMs)))
      const failed = results.filter((r) => r.status === 'rejected').length
      if (failed > 0) this.#logger.warn({ failed, total: entries.length }, 'presence refresh failed for some entries')
    } finally {
      this.#refreshing = false
    }
  }

  /** Stops the timer; entries are left to the caller (or to expiry). */
  close(): void {
    this.#stopTimer()
  }

  /**
   * Another connection of the same (non-anonymous) user is present on the channel. A local one
   * answers without asking the engine; without other nodes nothing else can exist; otherwise the
   * engine's list covers every node.
   */
  async #userPresent(channel: string, info: ClientInfo): Promise<boolean> {
    if (info.user === '') return false
    if ((this.#localUsers.get(entryKey(channel, info.user)) ?? 0) > 0) return true
    if (!this.#engine.capabilities.distributed) return false
    const present = await this.#engine.presence(channel)
    for (const clientId in present) {
      if (clientId !== info.client && present[clientId]?.user === info.user) return true
    }
    return false
  }

  /** No connection of the member is left on any node: by the engine's count where it keeps one. */
  async #absent(channel: string, info: ClientInfo): Promise<boolean> {
    if (this.#counted(info)) return (await this.#engine.userConnections!(channel, info.user)) === 0
    return !(await this.#userPresent(channel, info))
  }

  /** The engine counts the user's connections atomically with each add and removal (anonymous users are each their own member). */
  #counted(info: ClientInfo): boolean {
    return this.#engine.userConnections !== undefined && info.user !== ''
  }

  /** Drops the local entry (no longer refreshed). */
  #forget(channel: string, info: ClientInfo): void {
    if (this.#entries.delete(entryKey(channel, info.client))) this.#count(channel, info.user, -1)
    if (this.#entries.size === 0) this.#stopTimer()
  }

  /** Local entries per (channel, user). */
  #count(channel: string, user: string, delta: number): void {
    const key = entryKey(channel, user)
    const count = (this.#localUsers.get(key) ?? 0) + delta
    if (count > 0) this.#localUsers.set(key, count)
    else this.#localUsers.delete(key)
  }

  #serial(channel: string, user: string, task: () => Promise<void>): Promise<void> {
    const key = entryKey(channel, user)
    const previous = this.#locks.get(key) ?? Promise.resolve()
    const next = previous.then(task)
    const tail = next.catch(() => undefined)
    this.#locks.set(key, tail)
    void tail.then(() => {
      if (this.#locks.get(key) === tail) this.#locks.delete(key)
    })
    return next
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => void this.refresh(), Math.max(1, Math.floor(this.#ttlMs / 3)))
    this.#timer.unref()
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}

function entryKey(channel: string, id: string): string {
  return `${channel}\u0000${id}`
}

/** A member: a user, or an anonymous connection (each is its own member). */
function memberKey(channel: string, info: ClientInfo): string {
  return entryKey(channel, info.user === '' ? `\u0000${info.client}` : info.user)
}
