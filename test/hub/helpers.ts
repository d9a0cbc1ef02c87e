import { createMemoryEngine, type MemoryEngine } from '../../src/engine/memory/memory-engine.js'
import type { ClientInfo, Engine } from '../../src/engine/types.js'
import { Hub } from '../../src/hub/hub.js'
import type { ChannelsOptionsInput } from '../../src/hub/options.js'
import type { FrameEncoder, HubEvent, Subscriber } from '../../src/hub/types.js'
import { RecordingLogger } from '../recording-logger.js'


/** A JSON encoder that counts its calls; frames are strings, like a protocol's push. */
export class CountingEncoder implements FrameEncoder<string> {
  calls = 0
  encode(event: HubEvent): string {
    this.calls++
    return JSON.stringify(event)
  }
}

let nextClient = 0

/** A subscriber that records what it was given. */
export class RecordingSubscriber implements Subscriber<string> {
  readonly clientId: string
  readonly userId: string
  readonly format: string
  readonly frames: string[] = []
  readonly events: HubEvent[] = []
  readonly lost: string[] = []

  constructor(userId = 'u1', format = 'json', clientId = `c${++nextClient}`) {
    this.userId = userId
    this.format = format
    this.clientId = clientId
  }

  get info(): ClientInfo {
    return { user: this.userId, client: this.clientId }
  }

  deliver(frame: string, event: HubEvent): void {
    this.frames.push(frame)
    this.events.push(event)
  }

  onStreamLost(channel: string): void {
    this.lost.push(channel)
  }

  /** Offsets of the publications received, in arrival order. */
  offsets(channel?: string): number[] {
    return this.events
      .filter((e) => e.type === 'publication' && (channel === undefined || e.channel === channel))
      .map((e) => (e.type === 'publication' ? e.publication.offset : -1))
  }

  ofType(type: HubEvent['type']): HubEvent[] {
    return this.events.filter((e) => e.type === type)
  }
}

/** Counts calls to the real engine's methods by wrapping them on the object (observing only). */
export function countCalls<E extends Engine>(engine: E, methods: ReadonlyArray<keyof Engine & string>): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const method of methods) {
    counts[method] = 0
    const original = (engine[method] as (...args: unknown[]) => unknown).bind(engine)
    Object.defineProperty(engine, method, {
      configurable: true,
      value: (...args: unknown[]) => {
        counts[method] = (counts[method] ?? 0) + 1
        return original(...args)
      },
    })
  }
  return counts
}

/** Runs `before` ahead of and `after` after each call of a real engine method (to stage interleavings). */
export function aroundCalls(
  engine: Engine,
  method: keyof Engine & string,
  hooks: { before?: (...args: unknown[]) => Promise<void> | void; after?: (...args: unknown[]) => Promise<void> | void },
): void {
  const original = (engine[method] as (...args: unknown[]) => Promise<unknown>).bind(engine)
  Object.defineProperty(engine, method, {
    configurable: true,
    value: async (...args: unknown[]) => {
      await hooks.before?.(...args)
      const result = await original(...args)
      await hooks.after?.(...args)
      return result
    },
  })
}

export type Harness = { hub: Hub; engine: MemoryEngine; encoder: CountingEncoder; logger: RecordingLogger; close(): Promise<void> }

/** A started hub on a fresh memory engine, with the 'json' format registered. */
export async function startHub(options: ChannelsOptionsInput = {}, prepare?: (engine: MemoryEngine) => void): Promise<Harness> {
  const engine = createMemoryEngine()
  prepare?.(engine)
  const logger = new RecordingLogger()
  const hub = new Hub(engine, options, logger)
  const encoder = new CountingEncoder()
  hub.registerFormat('json', encoder)
  await hub.start()
  return {
    hub,
    engine,
    encoder,
    logger,
    async close() {
      await hub.close()
      await engine.close()
    },
  }
}

/** Lets the engine's fan-out (a microtask drain) and pending timers run. */
export function settle(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export const withHistory = { historySize: 100, historyTtlMs: 60_000 }
