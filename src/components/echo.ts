/** The simplest `Component`: WebSocket echo. */
import type { Component, Conn } from '../server/types.js'

/** Sends every message back to its sender: text as text, binary as binary. Keeps no state. */
export class EchoServer implements Component {
  onOpen(): void {}

  onMessage(conn: Conn, data: string | Uint8Array): void {
    conn.send(data)
  }

  onClose(): void {}

  /** Nothing in onMessage can throw but a bug; the server logs it and closes the connection. */
  onError(): void {}
}
