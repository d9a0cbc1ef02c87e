/**
 * `SocketConn`: the `Conn` a component sees, over a transport socket, with the slow-consumer policy.
 */
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
 *
 * The held frame's send-time checks (connection still open, queue under `maxBufferedBytes`) run
 * when it is written, at the end of the turn or when a second frame arrives: until then nothing
 * is written, so their outcome is the same, and a fan-out touches each socket in one pass
 * instead of two.
 */
export class SocketConn implements Conn, Flushable {
  readonly id: string = randomUUID()
  readonly remoteAddress: string
  readonly request: RequestInfo
  readonly route: string
  /** Cleared by the keepalive sweep before each ping, set again by the pong. */
  alive = true

  readonly #transport: TransportSocket
  readonly #compressed: boolean
  readonly #limits: RouteLimits
  readonly #counters: TrafficCounters
  readonly #onSlowConsumer: (conn: SocketConn, bufferedBytes: number) => void
  #open = true
  /** The turn's only frame so far, not yet checked nor handed to the socket. */
  #held: Buffer | undefined
  #heldPayloadBytes = 0
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
    this.#compressed = init.transport.compressed
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
    if (!this.#open) return
    if (this.#compressed) {
      if (!this.#canWrite()) return
      const payload = toPayload(data)
      this.#transport.send(payload, typeof data !== 'string')
      this.#counted(payload.length)
    } else if (typeof data === 'string') {
      const { frame, payloadBytes } = textFrame(data)
      this.#queue(frame, undefined, payloadBytes)
    } else {
      // Binary payloads are not copied: the header goes in front of the caller's bytes.
      const payload = toPayload(data)
      this.#queue(frameHeader(true, payload.length), payload, payload.length)
    }
  }

  sendPrepared(message: PreparedMessage): void {
    if (!(message instanceof FramedMessage)) {
      throw new TypeError('sendPrepared takes a message from App.prepare() or prepareMessage()')
    }
    if (!this.#open) return
    if (!this.#compressed) {
      this.#queue(message.frame, undefined, message.payloadBytes)
    } else if (this.#canWrite()) {
      this.#transport.send(message.payload, message.isBinary)
      this.#counted(message.payloadBytes)
    }
  }

  close(code = 1000, reason = ''): void {
    if (!this.isOpen) return
    const fitted = fitReason(reason)
    // What was sent before the close goes before the close frame (unless that finds a slow
    // consumer, which closes the connection itself).
    this.#releaseHeld()
    if (!this.isOpen) return
    // Before the state changes, so an invalid code throws (to the dispatch catch) with the
    // connection still open.
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
    } else {
      // A close frame the transport wrote meanwhile (answering the peer's close, after a
      // protocol error) fails the check: no data frame may follow it, the frame is dropped.
      this.#releaseHeld()
    }
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

  /** Queues one frame (`second`: a payload sent without copying it behind its header). */
  #queue(first: Buffer, second: Buffer | undefined, payloadBytes: number): void {
    const raw = this.#transport.raw
    if (!this.#corked) {
      if (this.#held === undefined) {
        if (second === undefined) {
          this.#held = first
          this.#heldPayloadBytes = payloadBytes
          flushAtEndOfTurn(this)
          return
        }
        if (!this.#canWrite()) return
        flushAtEndOfTurn(this)
      }
      this.#corked = true
      raw.cork()
      this.#releaseHeld()
      if (!this.#canWrite()) return
    } else if (!this.#canWrite()) {
      return
    }
    raw.write(first)
    if (second !== undefined && second.length > 0) raw.write(second)
    this.#counted(payloadBytes)
  }

  /** Runs the held frame's send-time checks and writes it. */
  #releaseHeld(): void {
    const held = this.#held
    if (held === undefined) return
    this.#held = undefined
    if (!this.#canWrite()) return
    this.#transport.raw.write(held)
    this.#counted(this.#heldPayloadBytes)
  }

  #counted(payloadBytes: number): void {
    this.#counters.messagesOut++
    this.#counters.bytesOut += payloadBytes
  }
}
