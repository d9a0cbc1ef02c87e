/** The transport on the ws package: the only file that imports `ws`. */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws'
import type { RouteLimits } from './app-options.js'
import { FrameCounter } from './frame-counter.js'
import { beginReadBatch, endReadBatch } from './write-coalescer.js'

/** What the transport reports about one connection. */
export type TransportEvents = {
  /** Everything is attached: the connection may be announced. */
  open(): void
  message(data: Buffer, isBinary: boolean): void
  pong(): void
  /** The peer broke the protocol or a limit; the transport has already started a close with `closeCode`. */
  peerError(closeCode: number, error: Error): void
  /** The socket is gone. `code`/`reason` are what the peer sent (1006 when it sent nothing). */
  close(code: number, reason: string): void
}

/**
 * One upgraded socket as the server sees it. The only place that knows about `ws`: another
 * transport is another implementation of this interface.
 */
export interface TransportSocket {
  /** The raw socket, for corked direct writes of pre-framed bytes. */
  readonly raw: Socket
  /** False once either side has started the close: no data frame may follow a close frame. */
  readonly isOpen: boolean
  /** True when permessage-deflate was negotiated: frames must then go through `send`. */
  readonly compressed: boolean
  /** Bytes queued and not yet handed to the kernel, including corked writes. */
  readonly bufferedBytes: number
  /** Frames and sends one message (compressing when negotiated), ordered with other sends. */
  send(data: Buffer | string, isBinary: boolean): void
  ping(): void
  close(code: number, reason: string): void
  terminate(): void
}

/**
 * ws puts the close code it sent on a symbol-keyed property of its receiver errors; map its error
 * codes when that is missing. Anything else (a failing deflate, say) is not the peer's fault: 1011.
 */
const closeCodeByWsError: Record<string, number> = {
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
}

function closeCodeOf(error: Error): number {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    const value = (error as unknown as Record<symbol, unknown>)[symbol]
    if (symbol.description === 'status-code' && typeof value === 'number') return value
  }
  const code = (error as { code?: unknown }).code
  return (typeof code === 'string' ? closeCodeByWsError[code] : undefined) ?? 1011
}

/** `WebSocket.OPEN`. */
const OPEN = 1

class WsTransportSocket implements TransportSocket {
  readonly #ws: WebSocket
  readonly raw: Socket
  readonly compressed: boolean

  constructor(ws: WebSocket, raw: Socket) {
    this.#ws = ws
    this.raw = raw
    this.compressed = ws.extensions.includes('permessage-deflate')
  }

  get isOpen(): boolean {
    return this.#ws.readyState === OPEN
  }

  /**
   * ws's `bufferedAmount` adds what its sender queues while it compresses (or reads a Blob, which
   * Sprocket never sends) to the socket's queue: without compression the socket's queue is all,
   * read without touching the sender (this runs for every frame written).
   */
  get bufferedBytes(): number {
    return this.compressed ? this.#ws.bufferedAmount : this.raw.writableLength
  }

  send(data: Buffer | string, isBinary: boolean): void {
    this.#ws.send(data, { binary: isBinary })
  }

  ping(): void {
    this.#ws.ping()
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason)
  }

  terminate(): void {
    this.#ws.terminate()
  }
}

/**
 * Counts fragments on the raw bytes before ws parses them: ws reads the socket through one
 * 'data' listener, which is moved behind the counter. When the limit is passed the close starts
 * and bytes keep flowing to ws, so the peer's close frame still completes the handshake
 * (ws's own `maxPayload` bounds what it buffers meanwhile).
 */
function countFragments(raw: Socket, maxFragments: number, onExceeded: () => void): boolean {
  const listeners = raw.listeners('data') as Array<(chunk: Buffer) => void>
  if (listeners.length !== 1) return false
  const [parse] = listeners as [(chunk: Buffer) => void]
  const counter = new FrameCounter(maxFragments)
  raw.removeListener('data', parse)
  raw.on('data', function countThenParse(this: Socket, chunk: Buffer) {
    if (!counter.exceeded && !counter.push(chunk)) onExceeded()
    // ws emits the chunk's messages synchronously: what the components write in reply leaves
    // when the chunk is done.
    beginReadBatch()
    try {
      parse.call(this, chunk)
    } finally {
      endReadBatch()
    }
  })
  return true
}

/** The upgrade path of one route: its limits and its ws server (noServer: the App owns the HTTP server). */
export class WsUpgrader {
  readonly #server: WebSocketServer
  readonly #limits: RouteLimits

  /**
   * `onBadHandshake` answers what ws still checks after the App's own checks (a malformed
   * Sec-WebSocket-Protocol or Sec-WebSocket-Extensions header): those are 400s.
   */
  constructor(
    limits: RouteLimits,
    closeHandshakeTimeoutMs: number,
    onBadHandshake: (req: IncomingMessage, socket: Duplex) => void,
  ) {
    this.#limits = limits
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: limits.maxMessageBytes,
      // Our counter closes with 1009 at maxFragments + 1; ws's own (1008) stays as a backstop.
      maxFragments: limits.maxFragments + 1,
      closeTimeout: closeHandshakeTimeoutMs,
      perMessageDeflate: limits.compression.enabled ? deflateOptions(limits.compression) : false,
    } as ConstructorParameters<typeof WebSocketServer>[0])
    this.#server.on('wsClientError', (_error: Error, socket: Duplex, req: IncomingMessage) => onBadHandshake(req, socket))
  }

  /**
   * Completes a handshake the App has already validated, synchronously. `bind` receives the
   * transport socket and returns the handlers for its events; `open` follows once they are
   * attached. If the fragment counter cannot be attached the connection closes with 1011:
   * better no connection than one without the limit.
   */
  upgrade(
    req: IncomingMessage,
    stream: Duplex,
    head: Buffer,
    bind: (transport: TransportSocket) => TransportEvents,
  ): void {
    // node:http hands upgrades a net.Socket (a tls.TLSSocket under https): cork/uncork and
    // writableLength are what the direct write path needs of it.
    const socket = stream as Socket
    this.#server.handleUpgrade(req, socket, head, (ws) => {
      const transport = new WsTransportSocket(ws, socket)
      const events = bind(transport)
      // Handed to ws as they are: no wrapper call per message. With binaryType 'nodebuffer'
      // (ws's default, never changed here) `data` is always one Buffer.
      ws.on('message', events.message as (data: WebSocket.RawData, isBinary: boolean) => void)
      ws.on('pong', events.pong)
      ws.on('error', (error) => events.peerError(closeCodeOf(error), error))
      ws.on('close', (code, reason) => events.close(code, reason.toString()))
      const counted = countFragments(socket, this.#limits.maxFragments, () => {
        const error = Object.assign(new Error('too many fragments in one message'), {
          code: 'SPROCKET_TOO_MANY_FRAGMENTS',
        })
        transport.close(1009, 'too many fragments')
        events.peerError(1009, error)
      })
      if (!counted) {
        transport.close(1011, 'internal error')
        events.peerError(1011, new Error('cannot attach the fragment counter to the socket'))
        return
      }
      events.open()
    })
  }
}

/**
 * ws's permessage-deflate settings with zlib's memory capped: small windows both ways (the
 * client's only when it offered `client_max_window_bits`, as RFC 7692 requires) and a small
 * memLevel. Measured server RSS per compressed connection (test/cli/compression-memory.test.ts):
 * ~255 KiB with zlib's defaults (15, 8), ~130 KiB with 11 and 4, ~30 KiB without compression; the
 * rest of the difference is the two zlib streams' fixed cost, which no setting lowers.
 */
function deflateOptions(compression: RouteLimits['compression']): NonNullable<ServerOptions['perMessageDeflate']> {
  return {
    threshold: compression.thresholdBytes,
    serverMaxWindowBits: compression.windowBits,
    clientMaxWindowBits: compression.windowBits,
    // ws sets both streams' windowBits from what was negotiated.
    zlibDeflateOptions: { memLevel: compression.memLevel },
  }
}
