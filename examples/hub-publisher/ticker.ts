import type { HubApi } from '../../src/hub/index.js'
import type { Component, Conn } from '../../src/index.js'

/** The hub namespace quotes are published in: the quote for ACME goes to `ticker:ACME`. */
export const tickerNamespace = 'ticker'

/** A quote, as a feeder sends it and as subscribers of `ticker:<symbol>` receive it. */
export type Quote = { symbol: string; price: number }

/** What a feeder gets back for each message. */
export type TickerReply = { type: 'published'; channel: string; offset: number } | { type: 'error'; code: 'invalid_quote' }

function parseQuote(data: string | Uint8Array): Quote | undefined {
  if (typeof data !== 'string') return undefined
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { symbol, price } = value as Record<string, unknown>
  if (typeof symbol !== 'string' || !/^[A-Z]{1,8}$/.test(symbol)) return undefined
  if (typeof price !== 'number' || !Number.isFinite(price)) return undefined
  return { symbol, price }
}

/**
 * A price ticker on the hub. Feeders (a market-data job, a backend) send quotes to this component
 * as JSON text, `{"symbol":"ACME","price":12.5}`; each one is published to the hub channel
 * `ticker:ACME`, where every native-protocol client subscribed to it (centrifuge-js in a browser)
 * receives it, with the history and recovery the namespace is configured with. The feeder is
 * answered with the publication's channel and offset, or `invalid_quote`.
 */
export class Ticker implements Component {
  readonly #hub: HubApi

  constructor(hub: HubApi) {
    this.#hub = hub
  }

  onOpen(): void {}

  async onMessage(conn: Conn, data: string | Uint8Array): Promise<void> {
    const quote = parseQuote(data)
    if (quote === undefined) return reply(conn, { type: 'error', code: 'invalid_quote' })
    const channel = `${tickerNamespace}:${quote.symbol}`
    // The server publishes, not a client: no actor, so the namespace's allowPublish does not apply.
    const { offset } = await this.#hub.publish(channel, { data: JSON.stringify(quote) })
    reply(conn, { type: 'published', channel, offset })
  }

  onClose(): void {}

  onError(conn: Conn, error: Error): void {
    console.error(`feeder ${conn.id}: ${error.message}`)
  }
}

function reply(conn: Conn, message: TickerReply): void {
  conn.send(JSON.stringify(message))
}
