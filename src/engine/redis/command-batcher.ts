/**
 * Smart batching of the publish path: commands queued while a pipeline is in flight leave
 * together in the next one, so under load many publishes share one round trip to Redis.
 */
import type { ChainableCommander, Redis } from 'ioredis'

type Queued = {
  add: (pipeline: ChainableCommander) => void
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** Round trips and commands sent, for tests, metrics and the benchmark. */
export type BatcherStats = { roundTrips: number; commands: number }

/**
 * Sends queued commands as pipelines, one pipeline in flight at a time: a lone command leaves at
 * once (no added latency); commands queued meanwhile leave together when it returns, at most
 * `maxBatch` per pipeline. Order is kept: commands run in Redis in the order they were added,
 * and their promises settle in that order.
 *
 * A failed pipeline (connection lost) rejects every command in it through `mapError`; a command
 * Redis answered with an error rejects alone.
 */
export class CommandBatcher {
  readonly #client: Redis
  readonly #maxBatch: number
  readonly #mapError: (error: unknown) => unknown
  #queue: Queued[] = []
  #inFlight: Promise<void> | undefined
  #roundTrips = 0
  #commands = 0

  constructor(client: Redis, maxBatch: number, mapError: (error: unknown) => unknown) {
    this.#client = client
    this.#maxBatch = maxBatch
    this.#mapError = mapError
  }

  get stats(): BatcherStats {
    return { roundTrips: this.#roundTrips, commands: this.#commands }
  }

  /** Queues one command; `add` appends it to the pipeline it leaves in. */
  run<T>(add: (pipeline: ChainableCommander) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ add, resolve: resolve as (value: unknown) => void, reject })
      if (this.#inFlight === undefined) this.#inFlight = this.#flush()
    })
  }

  /** Resolves once nothing is queued or in flight. */
  async drained(): Promise<void> {
    while (this.#inFlight !== undefined) await this.#inFlight
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.length <= this.#maxBatch ? this.#queue : this.#queue.slice(0, this.#maxBatch)
      this.#queue = batch === this.#queue ? [] : this.#queue.slice(this.#maxBatch)
      await this.#send(batch)
    }
    this.#inFlight = undefined
  }

  async #send(batch: Queued[]): Promise<void> {
    this.#roundTrips++
    this.#commands += batch.length
    try {
      const pipeline = this.#client.pipeline()
      for (const item of batch) item.add(pipeline)
      const results = (await pipeline.exec()) ?? []
      batch.forEach((item, i) => {
        const [error, value] = results[i] ?? [new Error('no reply'), undefined]
        if (error) item.reject(this.#mapError(error))
        else item.resolve(value)
      })
    } catch (error) {
      const mapped = this.#mapError(error)
      for (const item of batch) item.reject(mapped)
    }
  }
}
