/**
 * Finds this node's native-protocol sessions by user and client id, for control messages and housekeeping.
 */
import type { Session } from './session.js'

/**
 * This node's native-protocol sessions: all of them (for housekeeping), and the connected ones
 * by user id and client id (for control messages from the server API).
 */
export class SessionIndex {
  readonly all = new Set<Session>()
  readonly #byUser = new Map<string, Set<Session>>()
  readonly #byClient = new Map<string, Session>()

  add(session: Session): void {
    this.all.add(session)
  }

  /** Indexes a session under its user once `connect` has succeeded. */
  connected(session: Session): void {
    this.#byClient.set(session.clientId, session)
    let sessions = this.#byUser.get(session.userId)
    if (sessions === undefined) {
      sessions = new Set()
      this.#byUser.set(session.userId, sessions)
    }
    sessions.add(session)
  }

  remove(session: Session): void {
    this.all.delete(session)
    if (this.#byClient.get(session.clientId) === session) this.#byClient.delete(session.clientId)
    const sessions = this.#byUser.get(session.userId)
    if (sessions === undefined) return
    sessions.delete(session)
    if (sessions.size === 0) this.#byUser.delete(session.userId)
  }

  /** The user's connected sessions, or only `clientId` among them when given. */
  find(userId: string, clientId?: string): Session[] {
    if (clientId !== undefined) {
      const session = this.#byClient.get(clientId)
      return session !== undefined && session.userId === userId ? [session] : []
    }
    return [...(this.#byUser.get(userId) ?? [])]
  }

  get size(): number {
    return this.all.size
  }
}
