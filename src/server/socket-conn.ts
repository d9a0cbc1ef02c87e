import { randomUUID } from 'node:crypto'
import type { RouteLimits } from './app-options.js'
import { FramedMessage, frameHeader, textFrame, toPayload } from './prepared-message.js'
import type { TransportSocket } from './ws-transport.js'
import type { Conn, PreparedMessage, RequestInfo } from './types.js'
import { flushAtEndOfTurn, type Flushable } from './write-coalescer.js'

/** Close reasons are limited to 123 bytes by the protocol; cut on a character boundary. */
function fitReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason
  let cut = reason.slice(0, 123)
  while (Buffer.byteLength(cut) > 123) cut = cut.slice(0, -1)
  return cut
}

/** Counters the connection updates on its hot path; the metrics module reads them on scrape. */
export type TrafficCounters = {
  messagesOut: number
  bytesOut: number
}

/**
 * `Conn` over a `TransportSocket`. Uncompressed sends write pre-framed bytes straight to the raw
 * socket, and every frame queued in one event-loop turn leaves in one write at the end of it:
 * the turn's first frame is held as is (most turns have just one: an echo, a fan-out delivery)
 * and written alone, without corking; a second frame corks the socket and queues both behind
 * it. With permessage-deflate the transport frames (and orders) them instead.
 */
export class SocketConn implements Conn, Flushable {
  readonly id: string = randomUUID()
  readonly remoteAddress: string
  readonly request: RequestInfo
  readonly route: string
  /** Cleared by the keepalive sweep before each ping, set again by the pong. */
  alive = true

  readonly #transport: TransportSocket
  readonly #limits: RouteLimits
  readonly #counters: TrafficCounters
  readonly #onSlowConsumer: (conn: SocketConn, bufferedBytes: number) => void
  #open = true
  /** The turn's only frame so far, not yet handed to the socket. */
  #held: Buffer | undefined
  /** A second frame came in this turn: the socket is corked until the end of it. */
  #corked = false
  #closeCodeSent: number | undefined

  constructor(init: {
    transport: TransportSocket
    remoteAddress: string
    request: RequestInfo
    route: string
    limits: RouteLimits
    counters: TrafficCounters
    onSlowConsumer: (conn: SocketConn, bufferedBytes: number) => void
  }) {
    this.#transport = init.transport
    this.remoteAddress = init.remoteAddress
    this.request = init.request
    this.route = init.route
    this.#limits = init.limits
    this.#counters = init.counters
    this.#onSlowConsumer = init.onSlowConsumer
  }

  get bufferedBytes(): number {
    const held = this.#held
    return held === undefined ? this.#transport.bufferedBytes : this.#transport.bufferedBytes + held.length
  }

  get isOpen(): boolean {
    return this.#open && this.#transport.isOpen
  }

  /** The close code this side sent, if it started the close. */
  get closeCodeSent(): number | undefined {
    return this.#closeCodeSent
  }

  send(data: string | Uint8Array): void {
    if (!this.#canWrite()) return
    if (this.#transport.compressed) {
      const payload = toPayload(data)
      this.#transport.send(payload, typeof data !== 'string')
      this.#counted(payload.length)
    } else if (typeof data === 'string') {
      const { frame, payloadBytes } = textFrame(data)
      this.#write(frame)
      this.#counted(payloadBytes)
    } else {
      // Binary payloads are not copied: the header goes in front of the caller's bytes.
      const payload = toPayload(data)
      this.#write(frameHeader(true, payload.length), payload)
      this.#counted(payload.length)
    }
  }

  sendPrepared(message: PreparedMessage): void {
    if (!(message instanceof FramedMessage)) {
      throw new TypeError('sendPrepared takes a message from App.prepare() or prepareMessage()')
    }
    if (!this.#canWrite()) return
    if (this.#transport.compressed) this.#transport.send(message.payload, message.isBinary)
    else this.#write(message.frame)
    this.#counted(message.payloadBytes)
  }

  close(code = 1000, reason = ''): void {
    if (!this.isOpen) return
    // First, so an invalid code throws (to the dispatch catch) with the connection still open.
    const fitted = fitReason(reason)
    // What was sent before the close goes before the close frame.
    this.#writeHeld()
    this.#transport.close(code, fitted)
    this.#open = false
    this.#closeCodeSent = code
  }

  /** The peer (or ws on its behalf) already started the close: stop writing, remember the code. */
  markClosing(closeCodeSent?: number): void {
    this.#open = false
    this.#closeCodeSent ??= closeCodeSent
  }

  /** Drops the socket without a close handshake (dead peer, shutdown timeout). */
  terminate(): void {
    this.#open = false
    this.#held = undefined
    this.#transport.terminate()
  }

  ping(): void {
    if (this.isOpen) this.#transport.ping()
  }

  flush(): void {
    if (this.#corked) {
      this.#corked = false
      this.#transport.raw.uncork()
      return
    }
    // A close frame the transport wrote meanwhile (answering the peer's close, or after a
    // protocol error) has gone out already: no data frame may follow it, so the frame is dropped.
    if (this.#transport.isOpen) this.#writeHeld()
    else this.#held = undefined
  }

  /** Refuses the write, and closes, once the queue is past the limit: memory stays bounded. */
  #canWrite(): boolean {
    if (!this.isOpen || !this.#transport.raw.writable) return false
    const buffered = this.#transport.bufferedBytes
    if (buffered <= this.#limits.maxBufferedBytes) return true
    this.close(this.#limits.slowConsumerCloseCode, 'slow consumer')
    this.#onSlowConsumer(this, buffered)
    return false
  }

  #write(first: Buffer, second?: Buffer): void {
    const raw = this.#transport.raw
    if (!this.#corked) {
      const held = this.#held
      if (held === undefined && second === undefined) {
        this.#held = first
        flushAtEndOfTurn(this)
        return
      }
      this.#corked = true
      raw.cork()
      if (held === undefined) {
        flushAtEndOfTurn(this)
      } else {
        this.#held = undefined
        raw.write(held)
      }
    }
    raw.write(first)
    if (second !== undefined && second.length > 0) raw.write(second)
  }

  #writeHeld(): void {
    const held = this.#held
    if (held === undefined) return
    this.#held = undefined
    if (this.#transport.raw.writable) this.#transport.raw.write(held)
  }

  #counted(payloadBytes: number): void {
    this.#counters.messagesOut++
    this.#counters.bytesOut += payloadBytes
  }
}
