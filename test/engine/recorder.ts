import type { ClientInfo, ControlMessage, EngineHandler, Publication, StreamPosition } from '../../src/engine/types.js'

export type Recorded =
  | { type: 'publication'; channel: string; publication: Publication; position: StreamPosition }
  | { type: 'join' | 'leave'; channel: string; info: ClientInfo }
  | { type: 'control'; message: ControlMessage }
  | { type: 'gap'; channel: string }

/** An `EngineHandler` that records what it receives, in order, and can wait for it. */
export class Recorder implements EngineHandler {
  readonly events: Recorded[] = []
  #waiters: Array<() => void> = []

  onPublication(channel: string, publication: Publication, position: StreamPosition): void {
    this.#record({ type: 'publication', channel, publication, position })
  }
  onJoin(channel: string, info: ClientInfo): void {
    this.#record({ type: 'join', channel, info })
  }
  onLeave(channel: string, info: ClientInfo): void {
    this.#record({ type: 'leave', channel, info })
  }
  onControl(message: ControlMessage): void {
    this.#record({ type: 'control', message })
  }
  onStreamGap(channel: string): void {
    this.#record({ type: 'gap', channel })
  }

  publications(channel?: string): Array<{ channel: string; publication: Publication; position: StreamPosition }> {
    const out = []
    for (const e of this.events) {
      if (e.type === 'publication' && (channel === undefined || e.channel === channel)) out.push(e)
    }
    return out
  }

  /** Resolves once `count` events are recorded; rejects after `timeoutMs`. */
  async waitForCount(count: number, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} events, got ${this.events.length}`)
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 20)
      })
    }
  }

  #record(event: Recorded): void {
    this.events.push(event)
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
