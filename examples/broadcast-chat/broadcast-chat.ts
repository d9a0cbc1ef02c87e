import type { Component, Conn } from '../../src/index.js'

/**
 * Ratchet's chat tutorial: every message a client sends goes to every other connected client,
 * text as text and binary as binary. The sender does not get its own message back.
 */
export class BroadcastChat implements Component {
  readonly #clients = new Set<Conn>()

  onOpen(conn: Conn): void {
    this.#clients.add(conn)
  }

  onMessage(from: Conn, data: string | Uint8Array): void {
    for (const client of this.#clients) {
      if (client !== from) client.send(data)
    }
  }

  onClose(conn: Conn): void {
    this.#clients.delete(conn)
  }

  onError(conn: Conn, error: Error): void {
    console.error(`connection ${conn.id}: ${error.message}`)
  }
}
