/** The control messages the hub relays to every node (server-side disconnect, subscribe, …). */
import type { StreamPosition } from '../engine/types.js'

/**
 * Control messages relayed by `HubApi.broadcastControl`, keyed by `kind`: every node's hub
 * receives them and hands them to the handlers registered with `onControl` (each protocol
 * component acts on its own connections, with its own codes). The server API sends them; a protocol component executes them.
 *
 * They target the connected sessions of `user` ('' = anonymous ones), or only the one whose
 * client id is `client`. Receivers log and ignore messages with fields of the wrong type.
 */
export type ControlKinds = {
  /**
   * Close the user's connections (or one). `code` is a close code within 3000–4999; without one
   * each protocol closes with its own "disconnected by the server" code (documented with the
   * protocol). `whitelist` lists client ids to keep.
   */
  disconnect: { kind: 'disconnect'; user: string; client?: string; code?: number; reason?: string; whitelist?: string[] }
  /** Server-side unsubscribe: the client is told it was unsubscribed by the server, and does not resubscribe. */
  unsubscribe: { kind: 'unsubscribe'; user: string; channel: string; client?: string }
  /**
   * Server-side subscribe: the connections get a `subscribe` push (with `data`, any JSON) and the
   * channel's pushes from then on. `since` recovers from a stream position.
   */
  subscribe: { kind: 'subscribe'; user: string; channel: string; client?: string; data?: unknown; since?: StreamPosition }
  /**
   * Server-side refresh: `expired: true` closes the connections as expired; otherwise `expireAt`
   * (unix seconds, 0 = never) becomes their new expiry.
   */
  refresh: { kind: 'refresh'; user: string; client?: string; expireAt?: number; expired?: boolean }
}

export type ControlKind = keyof ControlKinds

/** Any one of the control messages above. */
export type ControlKindMessage = ControlKinds[ControlKind]
