/** The server's seams: `Conn`, `Component`, `HttpHandler`, `HttpMountable`. */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** The logger `App` takes (`AppOptions.logger`); see src/logger.ts. */

/** The request that opened a connection, as the component sees it. */
export type RequestInfo = {
  readonly url: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

/**
 * A message framed once by the transport so the same bytes can be written to many connections
 * (fan-out). Opaque to everything but the transport; build one with `App.prepare()` or
 * `prepareMessage()` from `src/server/prepared-message.ts`.
 */
export interface PreparedMessage {
  readonly kind: 'prepared-message'
  /** Payload length in bytes, before framing. */
  readonly payloadBytes: number
}

/** What a component sees of one client connection. Every method is safe to call after close (no-op). */
export interface Conn {
  /** Unique for the life of the process. */
  readonly id: string
  readonly remoteAddress: string
  readonly request: RequestInfo
  /** Bytes queued but not yet written to the socket. */
  readonly bufferedBytes: number
  /** False once a close has started. */
  readonly isOpen: boolean
  /**
   * Queues one message. Writes made in the same event-loop turn are coalesced into one socket
   * write. If the queue passes the route's `maxBufferedBytes`, the connection is closed with
   * the route's slow-consumer close code instead of growing memory.
   */
  send(data: string | Uint8Array): void
  /** Like `send`, for a message framed once for many connections. */
  sendPrepared(message: PreparedMessage): void
  close(code?: number, reason?: string): void
}

/** The server's extension seam. A decorator takes its inner component first, options second. */
export interface Component {
  onOpen(conn: Conn): void | Promise<void>
  onMessage(conn: Conn, data: string | Uint8Array, isBinary: boolean): void | Promise<void>
  onClose(conn: Conn, code: number, reason: string): void | Promise<void>
  /** Receives what onOpen/onMessage threw that was not a peer's mistake. The connection then closes with 1011. */
  onError(conn: Conn, error: Error): void | Promise<void>
}

/** A plain HTTP route (health, metrics, APIs, static files). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

/**
 * What plain HTTP routes are mounted on: `App`, or anything with the same `mount` (a test double,
 * an embedding application's router). Route modules take this rather than `App`, so they depend
 * on the one method they use.
 */
export interface HttpMountable {
  mount(path: string, handler: HttpHandler): void
}
