import type { Component, Conn } from '../../src/index.js'
import { clientMessageSchema, DirectChatError, type ClientMessage, type ServerMessage } from './messages.js'

type Member = { id: string; name: string; conn: Conn }

/**
 * Direct messages between registered users. A client registers an id and a name, then sends
 * `direct` messages to another id; the recipient sees the sender's registered id and name,
 * never one the sender claims. When a registered client leaves, every other registered client
 * is told. Mistakes get an `error` reply with a `DirectChatError` code; the connection stays open.
 */
export class DirectChat implements Component {
  readonly #members = new Map<string, Member>()
  readonly #memberOf = new WeakMap<Conn, Member>()

  onOpen(): void {}

  onMessage(conn: Conn, data: string | Uint8Array, isBinary: boolean): void {
    if (isBinary || typeof data !== 'string') return reply(conn, errorOf(DirectChatError.invalidMessage, 'send JSON text'))
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      return reply(conn, errorOf(DirectChatError.invalidJson, 'not JSON'))
    }
    const parsed = clientMessageSchema.safeParse(json)
    if (!parsed.success) return reply(conn, errorOf(DirectChatError.invalidMessage, parsed.error.issues[0]?.message ?? 'bad message'))
    this.#handle(conn, parsed.data)
  }

  onClose(conn: Conn): void {
    const member = this.#memberOf.get(conn)
    if (member === undefined) return
    this.#memberOf.delete(conn)
    this.#members.delete(member.id)
    for (const other of this.#members.values()) reply(other.conn, { type: 'left', id: member.id, name: member.name })
  }

  onError(conn: Conn, error: Error): void {
    console.error(`connection ${conn.id}: ${error.message}`)
  }

  #handle(conn: Conn, message: ClientMessage): void {
    switch (message.type) {
      case 'register':
        return this.#register(conn, message.id, message.name)
      case 'direct':
        return this.#direct(conn, message)
      default: {
        const _: never = message
        return _
      }
    }
  }

  #register(conn: Conn, id: string, name: string): void {
    if (this.#memberOf.has(conn)) return reply(conn, errorOf(DirectChatError.alreadyRegistered, 'already registered'))
    if (this.#members.has(id)) return reply(conn, errorOf(DirectChatError.idTaken, `id ${id} is taken`))
    const member = { id, name, conn }
    this.#members.set(id, member)
    this.#memberOf.set(conn, member)
    reply(conn, { type: 'registered', id, name })
  }

  #direct(conn: Conn, message: Extract<ClientMessage, { type: 'direct' }>): void {
    const sender = this.#memberOf.get(conn)
    if (sender === undefined) return reply(conn, errorOf(DirectChatError.notRegistered, 'register first'))
    const recipient = this.#members.get(message.to)
    if (recipient === undefined) return reply(conn, errorOf(DirectChatError.unknownRecipient, `nobody is registered as ${message.to}`))
    const delivered: ServerMessage = { type: 'direct', from: sender.id, name: sender.name, message: message.message }
    if (message.color !== undefined) delivered.color = message.color
    reply(recipient.conn, delivered)
    reply(conn, { type: 'delivered', to: recipient.id })
  }
}

function reply(conn: Conn, message: ServerMessage): void {
  conn.send(JSON.stringify(message))
}

function errorOf(code: DirectChatError, message: string): ServerMessage {
  return { type: 'error', code, message }
}
