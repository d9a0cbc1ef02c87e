import { createSocket, type Socket } from 'node:dgram'

/** How a publisher run is driven. */
export type PublishPlan = {
  /** Publications whose deliveries are not all done yet, at most. */
  inFlight: number
  durationMs: number
  /**
   * Open loop: publish at this rate (still capped by `inFlight`). Absent: closed loop, a new
   * publication as soon as one completes.
   */
  ratePerSec?: number
  /** A publication not reported complete within this is counted lost and frees its slot. Default 5,000. */
  timeoutMs?: number
}

export type PublishStats = {
  published: number
  completed: number
  lost: number
  /** Open loop only: publications skipped because `inFlight` were outstanding. */
  skipped: number
  elapsedMs: number
  /** Publish call → completion report received by the publisher (the loadgen's latency plus the report's way back). */
  completionP50Ms: number
  completionP99Ms: number
}

/** Publishes one payload. `seq`/`t` are already in `json`; a thrown error or rejection counts as lost. */
export type PublishFn = (json: string) => void | Promise<unknown>

/**
 * The publisher loop of the fan-out benches. Every payload is `{"seq":N,"t":T}` with T the
 * CLOCK_MONOTONIC time in ns (what the loadgen reads too); the loadgen reports each seq whose
 * last delivery arrived in a UDP datagram to `port`, which frees an in-flight slot.
 */
export class Publisher {
  readonly #socket: Socket
  #onComplete: ((seq: number) => void) | undefined

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('message', (message) => {
      for (const line of message.toString('latin1').split('\n')) {
        if (line !== '') this.#onComplete?.(Number(line))
      }
    })
  }

  static async create(): Promise<Publisher> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
    return new Publisher(socket)
  }

  /** The UDP port the loadgen sends completions to (`--notify-port`). */
  get port(): number {
    return this.#socket.address().port
  }

  async run(plan: PublishPlan, publish: PublishFn): Promise<PublishStats> {
    const timeoutMs = plan.timeoutMs ?? 5000
    const outstanding = new Map<number, number>()
    const stats: PublishStats = { published: 0, completed: 0, lost: 0, skipped: 0, elapsedMs: 0, completionP50Ms: 0, completionP99Ms: 0 }
    const completionMs: number[] = []
    const started = performance.now()
    let seq = 0
    let running = true
    let finish!: () => void
    const finished = new Promise<void>((resolve) => (finish = resolve))

    const lost = (n: number) => {
      if (outstanding.delete(n)) stats.lost++
    }
    const publishOne = () => {
      const n = ++seq
      outstanding.set(n, performance.now())
      stats.published++
      const json = `{"seq":${n},"t":${process.hrtime.bigint()}}`
      try {
        const result = publish(json)
        if (result instanceof Promise) result.catch(() => lost(n))
      } catch {
        lost(n)
      }
    }
    const refill = () => {
      if (plan.ratePerSec !== undefined) return
      while (running && outstanding.size < plan.inFlight) publishOne()
    }
    this.#onComplete = (n) => {
      const at = outstanding.get(n)
      if (at === undefined) return
      outstanding.delete(n)
      completionMs.push(performance.now() - at)
      stats.completed++
      if (running) refill()
      else if (outstanding.size === 0) finish()
    }

    let rateTimer: NodeJS.Timeout | undefined
    if (plan.ratePerSec !== undefined) {
      // Due publications follow the clock, not the timer's tick count (ticks slip under load).
      const rate = plan.ratePerSec
      let issued = 0
      rateTimer = setInterval(() => {
        const due = Math.floor(((performance.now() - started) * rate) / 1000)
        for (; issued < due; issued++) {
          if (outstanding.size >= plan.inFlight) stats.skipped++
          else publishOne()
        }
      }, 2)
    } else {
      refill()
    }
    const sweep = setInterval(() => {
      const now = performance.now()
      for (const [n, at] of outstanding) if (now - at > timeoutMs) lost(n)
      if (running) refill()
      else if (outstanding.size === 0) finish()
    }, 100)

    await new Promise((resolve) => setTimeout(resolve, plan.durationMs))
    running = false
    clearInterval(rateTimer)
    stats.elapsedMs = performance.now() - started
    if (outstanding.size > 0) await finished
    clearInterval(sweep)
    this.#onComplete = undefined
    completionMs.sort((a, b) => a - b)
    stats.completionP50Ms = completionMs[Math.floor(completionMs.length * 0.5)] ?? 0
    stats.completionP99Ms = completionMs[Math.floor(completionMs.length * 0.99)] ?? 0
    return stats
  }

  close(): void {
    this.#socket.close()
  }
}
