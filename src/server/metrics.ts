/** The server's Prometheus metrics (connections, frames, bytes, refusals). */
import { Counter, Gauge, Registry } from 'prom-client'
import type { TrafficCounters } from './socket-conn.js'

/** Why a handshake was refused before the upgrade; the label of `sprocket_handshakes_refused_total`. */
export type RefusalReason =
  | 'unknown_path'
  | 'no_upgrade'
  | 'bad_method'
  | 'bad_upgrade'
  | 'bad_key'
  | 'bad_version'
  | 'bad_negotiation'
  | 'origin'
  | 'not_ready'
  | 'too_many_connections'
  | 'route_full'
  | 'address_connections'
  | 'address_handshake_rate'

/**
 * The server's Prometheus metrics, all prefixed `sprocket_`. Per-message counters are plain
 * numbers on the hot path, copied into prom-client when scraped; rare events (opens, closes,
 * refusals) go to prom-client directly. One instance per App: the names are registered once per
 * registry.
 */
export class ServerMetrics implements TrafficCounters {
  readonly registry: Registry
  messagesIn = 0
  bytesIn = 0
  messagesOut = 0
  bytesOut = 0

  readonly #open: Gauge<'route'>
  readonly #opened: Counter<'route'>
  readonly #refused: Counter<'status' | 'reason'>
  readonly #closes: Counter<'code' | 'by'>
  readonly #slowConsumers: Counter
  readonly #keepaliveTimeouts: Counter
  readonly #componentErrors: Counter<'phase'>

  constructor(registry: Registry = new Registry()) {
    this.registry = registry
    const registers = [registry]
    this.#open = new Gauge({ name: 'sprocket_connections', help: 'Open WebSocket connections', labelNames: ['route'], registers })
    this.#opened = new Counter({ name: 'sprocket_connections_total', help: 'WebSocket connections accepted', labelNames: ['route'], registers })
    this.#refused = new Counter({
      name: 'sprocket_handshakes_refused_total',
      help: 'WebSocket handshakes answered with an HTTP error instead of an upgrade',
      labelNames: ['status', 'reason'],
      registers,
    })
    this.#closes = new Counter({
      name: 'sprocket_closes_total',
      help: 'Closed WebSocket connections by close code (the code the server sent when it started the close, 1006 when no close frame) and by who started the close: server (a limit, a refusal, shutdown) or peer',
      labelNames: ['code', 'by'],
      registers,
    })
    this.#slowConsumers = new Counter({ name: 'sprocket_slow_consumers_total', help: 'Connections closed for not reading fast enough', registers })
    this.#keepaliveTimeouts = new Counter({ name: 'sprocket_keepalive_timeouts_total', help: 'Connections terminated for not answering a ping', registers })
    this.#componentErrors = new Counter({
      name: 'sprocket_component_errors_total',
      help: 'Errors thrown by components (bugs), by callback',
      labelNames: ['phase'],
      registers,
    })
    this.#hotCounter('sprocket_messages_received_total', 'WebSocket messages received', () => this.messagesIn)
    this.#hotCounter('sprocket_received_bytes_total', 'WebSocket payload bytes received', () => this.bytesIn)
    this.#hotCounter('sprocket_messages_sent_total', 'WebSocket messages sent', () => this.messagesOut)
    this.#hotCounter('sprocket_sent_bytes_total', 'WebSocket payload bytes sent', () => this.bytesOut)
  }

  opened(route: string): void {
    this.#open.inc({ route })
    this.#opened.inc({ route })
  }

  /** `sentByServer`: the code is one the server chose; a peer's own application codes are bucketed. */
  closed(route: string, code: number, sentByServer: boolean): void {
    this.#open.dec({ route })
    this.#closes.inc({ code: closeCodeLabel(code, sentByServer), by: sentByServer ? 'server' : 'peer' })
  }

  refused(status: number, reason: RefusalReason): void {
    this.#refused.inc({ status: String(status), reason })
  }

  slowConsumer(): void {
    this.#slowConsumers.inc()
  }

  keepaliveTimeout(): void {
    this.#keepaliveTimeouts.inc()
  }

  componentError(phase: string): void {
    this.#componentErrors.inc({ phase })
  }

  #hotCounter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  }
}

/**
 * A peer picks any code in 3000–4999 for its own close frames; labelling each would let peers
 * mint thousands of series. Codes the server sent, and the few standard ones, keep their number.
 */
function closeCodeLabel(code: number, sentByServer: boolean): string {
  if (sentByServer || code < 3000) return String(code)
  return code < 4000 ? '3xxx' : '4xxx'
}
