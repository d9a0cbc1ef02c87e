/**
 * Pusher socket ids. The server SDKs refuse any other shape (`^\d+\.\d+$`: Node's
 * `validateSocketId`, PHP's `/\A\d+\.\d+\z/`) when they sign channel auth or exclude a socket.
 */

/** The shape every socket id has. */
export const socketIdPattern = /^\d+\.\d+$/

/**
 * Mints socket ids `<node>.<counter>`: the node part is random per generator (per process), the
 * counter counts up, so ids are unique within a process and, with high probability, across nodes.
 */
export class SocketIdGenerator {
  readonly #node: number
  #counter = 0

  constructor(node: number = Math.floor(Math.random() * 1_000_000_000)) {
    this.#node = node
  }

  next(): string {
    this.#counter += 1
    return `${this.#node}.${this.#counter}`
  }
}
