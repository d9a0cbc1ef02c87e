/**
 * Cluster-wide subscriber counts per channel, by asking every node: a survey over the hub's
 * control messages, each node answering with its own counts.
 */
import { randomUUID } from 'node:crypto'
import type { ControlMessage } from '../engine/types.js'
import type { HubApi } from './types.js'

const SURVEY = 'channels_survey'
const REPLY = 'channels_reply'

type Pending = { expected: number; replies: Map<string, number>; seen: Set<string>; done: () => void }

/**
 * Counts subscribers per channel over every node (Centrifugo's `channels` is such a survey too):
 * `survey()` broadcasts a request; every node's `ChannelSurvey` answers with `hub.channels()`;
 * the asker sums the answers until `expectedNodes()` nodes answered or `timeoutMs` passed (then it
 * returns what it has: a node that died is simply missing). Replies travel on the shared control
 * channel, so a survey costs O(nodes²) messages: an operator's tool, not a hot path.
 */
export class ChannelSurvey {
  readonly #hub: HubApi
  readonly #uid: string
  readonly #expectedNodes: () => number
  readonly #pending = new Map<string, Pending>()
  readonly #unsubscribe: Array<() => void> = []

  /** `uid` names this node in replies; `expectedNodes` says how many answers to wait for (the node registry's size). */
  constructor(hub: HubApi, uid: string, expectedNodes: () => number) {
    this.#hub = hub
    this.#uid = uid
    this.#expectedNodes = expectedNodes
  }

  start(): void {
    this.#unsubscribe.push(this.#hub.onControl(SURVEY, (message) => this.#answer(message)))
    this.#unsubscribe.push(this.#hub.onControl(REPLY, (message) => this.#collect(message)))
  }

  /** Subscriber counts per channel, summed over the nodes that answered within `timeoutMs`. */
  async survey(timeoutMs: number): Promise<Map<string, number>> {
    const id = randomUUID()
    const pending: Pending = { expected: Math.max(1, this.#expectedNodes()), replies: new Map(), seen: new Set(), done: () => undefined }
    const finished = new Promise<void>((resolve) => {
      pending.done = resolve
    })
    this.#pending.set(id, pending)
    const timer = setTimeout(() => pending.done(), timeoutMs)
    try {
      await this.#hub.broadcastControl({ kind: SURVEY, id, from: this.#uid })
      await finished
      return pending.replies
    } finally {
      clearTimeout(timer)
      this.#pending.delete(id)
    }
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
  }

  #answer(message: ControlMessage): void {
    if (typeof message.id !== 'string' || typeof message.from !== 'string') return
    const channels = Object.fromEntries(this.#hub.channels())
    this.#hub.broadcastControl({ kind: REPLY, id: message.id, to: message.from, from: this.#uid, channels }).catch(() => undefined)
  }

  #collect(message: ControlMessage): void {
    if (message.to !== this.#uid || typeof message.id !== 'string' || typeof message.from !== 'string') return
    const pending = this.#pending.get(message.id)
    if (pending === undefined || pending.seen.has(message.from)) return
    pending.seen.add(message.from)
    const channels = message.channels
    if (typeof channels === 'object' && channels !== null) {
      for (const [channel, count] of Object.entries(channels as Record<string, unknown>)) {
        if (typeof count === 'number') pending.replies.set(channel, (pending.replies.get(channel) ?? 0) + count)
      }
    }
    if (pending.seen.size >= pending.expected) pending.done()
  }
}
