/**
 * One webhook URL of one app: a bounded queue of events, sent in signed batches
 * (`X-Pusher-Key`, `X-Pusher-Signature`) one request at a time, retried with doubling backoff
 * for `retryForMs`, then dropped. Failures are logged and reported to `metrics`.
 */
import { webhookSignature } from '../../../auth/pusher-signature.js'
import type { Logger } from '../../../logger.js'
import { encodeWebhookBody, type PusherApp, type WebhookEvent, type WebhookEventName } from '../../../protocol/pusher/index.js'
import type { WebhookDeliveryOptions } from '../options.js'

/** What delivery reports, for metrics. */
export type WebhookMetrics = {
  delivered(events: number): void
  /** A batch given up after its retries. */
  failed(events: number): void
  /** Events dropped because the queue was full. */
  dropped(events: number): void
}

/** The first retry waits 1 s, or an eighth of `retryForMs` when that is shorter (at least 10 ms). */
function firstRetryMs(retryForMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(retryForMs / 8)))
}

export class WebhookTarget {
  readonly #app: PusherApp
  readonly #url: string
  readonly #events: ReadonlySet<WebhookEventName> | undefined
  readonly #options: WebhookDeliveryOptions
  readonly #logger: Logger
  readonly #metrics: WebhookMetrics
  #queue: WebhookEvent[] = []
  #timer: NodeJS.Timeout | undefined
  #sending = false
  #closed = false

  constructor(app: PusherApp, url: string, events: readonly WebhookEventName[] | undefined, options: WebhookDeliveryOptions, logger: Logger, metrics: WebhookMetrics) {
    this.#app = app
    this.#url = url
    this.#events = events === undefined ? undefined : new Set(events)
    this.#options = options
    this.#logger = logger
    this.#metrics = metrics
  }

  push(event: WebhookEvent): void {
    if (this.#closed || (this.#events !== undefined && !this.#events.has(event.name))) return
    if (this.#queue.length >= this.#options.maxQueuedEvents) {
      this.#metrics.dropped(1)
      this.#logger.warn({ app: this.#app.id, url: this.#url }, 'webhook queue full: event dropped')
      return
    }
    this.#queue.push(event)
    if (this.#queue.length >= this.#options.maxBatchEvents) this.#flushSoon(0)
    else this.#flushSoon(this.#options.batchMs)
  }

  /** Stops sending; what is queued is dropped. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#queue = []
  }

  #flushSoon(delayMs: number): void {
    if (this.#sending) return
    if (this.#timer !== undefined) {
      if (delayMs > 0) return
      clearTimeout(this.#timer)
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#flush()
    }, delayMs)
    this.#timer.unref()
  }

  async #flush(): Promise<void> {
    if (this.#sending || this.#queue.length === 0 || this.#closed) return
    this.#sending = true
    const batch = this.#queue.splice(0, this.#options.maxBatchEvents)
    try {
      await this.#deliver(batch)
    } finally {
      this.#sending = false
      if (this.#queue.length > 0) this.#flushSoon(this.#queue.length >= this.#options.maxBatchEvents ? 0 : this.#options.batchMs)
    }
  }

  /** Sends one batch, retrying until it is accepted or `retryForMs` has passed. */
  async #deliver(batch: WebhookEvent[]): Promise<void> {
    const body = encodeWebhookBody(Date.now(), batch)
    const headers = {
      'content-type': 'application/json',
      'x-pusher-key': this.#app.key,
      'x-pusher-signature': webhookSignature(this.#app.secret, body),
    }
    const giveUpAt = Date.now() + this.#options.retryForMs
    let waitMs = firstRetryMs(this.#options.retryForMs)
    for (let attempt = 1; ; attempt++) {
      let failure: string
      try {
        const response = await fetch(this.#url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.#options.timeoutMs) })
        await response.body?.cancel()
        if (response.ok) {
          this.#metrics.delivered(batch.length)
          return
        }
        failure = `HTTP ${response.status}`
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error)
      }
      if (this.#closed || Date.now() + waitMs > giveUpAt) {
        this.#metrics.failed(batch.length)
        this.#logger.warn({ app: this.#app.id, url: this.#url, attempts: attempt, failure, events: batch.length }, 'webhook delivery failed; batch dropped')
        return
      }
      this.#logger.debug({ app: this.#app.id, url: this.#url, attempt, failure, retryInMs: waitMs }, 'webhook delivery failed; retrying')
      await new Promise((resolve) => setTimeout(resolve, waitMs).unref())
      waitMs *= 2
    }
  }
}
