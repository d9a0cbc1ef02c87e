/**
 * The cluster's live nodes, as every node sees them: each node announces itself over the hub's
 * control messages every few seconds, and entries not refreshed in time are dropped.
 */
import type { ControlMessage } from '../engine/types.js'
import type { HubApi } from './types.js'

/** What one node reports about itself. */
export type NodeInfo = {
  uid: string
  name: string
  version: string
  numClients: number
  numUsers: number
  numChannels: number
  numSubs: number
  uptimeSeconds: number
}

export type NodeRegistryOptions = {
  /** How often this node announces itself (Centrifugo: 3 s). */
  publishIntervalMs?: number
  /** A node not heard from for this long is dropped (Centrifugo: 2 intervals + 1 s). */
  maxAgeMs?: number
}

export const nodeRegistryDefaults = { publishIntervalMs: 3_000, maxAgeMs: 7_000 } as const

const KIND = 'node'
const SHUTDOWN_KIND = 'node_shutdown'

/**
 * The registry of live nodes, kept in memory on every node (no Redis keys): each node broadcasts
 * `{kind: 'node', info}` every `publishIntervalMs` on the engine's control channel, every node
 * keeps what it heard with the time it heard it, and `nodes()` lists this node (described fresh)
 * plus every other node heard within `maxAgeMs`. A node that closes says so and is dropped at
 * once; one that dies disappears after `maxAgeMs`. On a one-node engine it lists this node only.
 * Announcements that fail (engine unavailable) are skipped; the next interval tries again.
 */
export class NodeRegistry {
  readonly #hub: HubApi
  readonly #describe: () => NodeInfo
  readonly #options: Required<NodeRegistryOptions>
  readonly #others = new Map<string, { info: NodeInfo; heardMs: number }>()
  readonly #unsubscribe: Array<() => void> = []
  #timer: NodeJS.Timeout | undefined

  constructor(hub: HubApi, describe: () => NodeInfo, options: NodeRegistryOptions = {}) {
    this.#hub = hub
    this.#describe = describe
    this.#options = { ...nodeRegistryDefaults, ...options }
  }

  /** Starts listening and announcing (at once, then every interval). */
  start(): void {
    this.#unsubscribe.push(this.#hub.onControl(KIND, (message) => this.#heard(message)))
    this.#unsubscribe.push(
      this.#hub.onControl(SHUTDOWN_KIND, (message) => {
        if (typeof message.uid === 'string') this.#others.delete(message.uid)
      }),
    )
    this.#announce()
    this.#timer = setInterval(() => this.#announce(), this.#options.publishIntervalMs)
    this.#timer.unref()
  }

  /** This node first, then the others heard recently, by name. */
  nodes(): NodeInfo[] {
    const self = this.#describe()
    const now = Date.now()
    const others: NodeInfo[] = []
    for (const [uid, entry] of this.#others) {
      if (now - entry.heardMs > this.#options.maxAgeMs) this.#others.delete(uid)
      else if (uid !== self.uid) others.push(entry.info)
    }
    others.sort((a, b) => a.name.localeCompare(b.name) || a.uid.localeCompare(b.uid))
    return [self, ...others]
  }

  /** Stops announcing and tells the other nodes this one is gone. */
  async close(): Promise<void> {
    clearInterval(this.#timer)
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
    await this.#hub.broadcastControl({ kind: SHUTDOWN_KIND, uid: this.#describe().uid }).catch(() => undefined)
  }

  #announce(): void {
    this.#hub.broadcastControl({ kind: KIND, info: this.#describe() }).catch(() => undefined)
  }

  #heard(message: ControlMessage): void {
    const info = message.info as Partial<NodeInfo> | undefined
    if (typeof info !== 'object' || info === null || typeof info.uid !== 'string' || typeof info.name !== 'string') return
    this.#others.set(info.uid, { info: info as NodeInfo, heardMs: Date.now() })
  }
}
