/** In-memory presence with expiry, shared by the one-node engines. */
import type { ClientInfo, PresenceStats } from '../types.js'

type Entry = { info: ClientInfo; expiresAtMs: number }

/**
 * Presence of one node kept in memory: per channel, client id → info with an expiry. Presence is
 * ephemeral by nature (it is rebuilt by clients refreshing it), so engines that keep history on
 * disk still keep presence here. Expired entries are never listed or counted, and `sweep` frees
 * them (and empty channels) so memory stays bounded by the live clients.
 */
export class PresenceStore {
  readonly #channels = new Map<string, Map<string, Entry>>()

  /** Adds or refreshes; the entry lives `ttlMs` from now. */
  add(channel: string, info: ClientInfo, ttlMs: number, nowMs: number): void {
    let entries = this.#channels.get(channel)
    if (entries === undefined) {
      entries = new Map()
      this.#channels.set(channel, entries)
    }
    entries.set(info.client, { info, expiresAtMs: nowMs + ttlMs })
  }

  remove(channel: string, clientId: string): void {
    const entries = this.#channels.get(channel)
    if (entries === undefined) return
    entries.delete(clientId)
    if (entries.size === 0) this.#channels.delete(channel)
  }

  list(channel: string, nowMs: number): Record<string, ClientInfo> {
    const result: Record<string, ClientInfo> = {}
    const entries = this.#channels.get(channel)
    if (entries === undefined) return result
    for (const [clientId, entry] of entries) {
      if (entry.expiresAtMs > nowMs) result[clientId] = entry.info
    }
    return result
  }

  stats(channel: string, nowMs: number): PresenceStats {
    const entries = this.#channels.get(channel)
    if (entries === undefined) return { numClients: 0, numUsers: 0 }
    const users = new Set<string>()
    let numClients = 0
    for (const entry of entries.values()) {
      if (entry.expiresAtMs <= nowMs) continue
      numClients++
      users.add(entry.info.user)
    }
    return { numClients, numUsers: users.size }
  }

  /** Drops expired entries and channels left empty. */
  sweep(nowMs: number): void {
    for (const [channel, entries] of this.#channels) {
      for (const [clientId, entry] of entries) {
        if (entry.expiresAtMs <= nowMs) entries.delete(clientId)
      }
      if (entries.size === 0) this.#channels.delete(channel)
    }
  }

  clear(): void {
    this.#channels.clear()
  }
}
