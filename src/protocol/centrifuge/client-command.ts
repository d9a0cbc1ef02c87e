/**
 * Client → server: every command the JSON Centrifugo protocol defines, as one discriminated union
 * on `type` (the name of the request field on the wire). `decodeCommand` builds these; code past it
 * trusts them.
 *
 * Payloads (`data`) are kept as JSON text: they are re-serialised once at the boundary and passed
 * through the hub and engines without being parsed again.
 */

/** A payload as JSON text (`{"a":1}`, `"x"`, `null`…), valid by construction. */
export type JsonText = string

/** A client's last seen position in a channel's stream. */
export type RecoverPosition = { offset: number; epoch: string }

/** One server-side subscription the client asks to recover in `connect.subs`. */
export type ConnectSubRecovery = { recover: boolean; offset: number; epoch: string }

export type ConnectCommand = {
  type: 'connect'
  id: number
  /** '' when absent. */
  token: string
  data?: JsonText
  /** Recovery of server-side subscriptions from an earlier connection, keyed by channel. */
  subs: Record<string, ConnectSubRecovery>
  name: string
  version: string
}

export type SubscribeCommand = {
  type: 'subscribe'
  id: number
  channel: string
  token: string
  data?: JsonText
  /** Present when the client asked to recover (`recover: true`); offset 0 / epoch '' when omitted. */
  recover?: RecoverPosition
  positioned: boolean
  recoverable: boolean
  joinLeave: boolean
  /** Feature bits: 1 channel compaction supported, 2 reject unrecovered. */
  flag: number
}

export type UnsubscribeCommand = { type: 'unsubscribe'; id: number; channel: string }
export type PublishCommand = { type: 'publish'; id: number; channel: string; data: JsonText }
export type PresenceCommand = { type: 'presence'; id: number; channel: string }
export type PresenceStatsCommand = { type: 'presence_stats'; id: number; channel: string }

export type HistoryCommand = {
  type: 'history'
  id: number
  channel: string
  /** 0 = position only, -1 = all retained (capped), n > 0 = at most n. */
  limit: number
  since?: RecoverPosition
  reverse: boolean
}

/** The `ping` command exists in the schema; the server answers it with 108. */
export type PingCommand = { type: 'ping'; id: number }
/** Asynchronous message to the server: no id, no reply. */
export type SendCommand = { type: 'send'; data: JsonText }
export type RpcCommand = { type: 'rpc'; id: number; method: string; data?: JsonText }
export type RefreshCommand = { type: 'refresh'; id: number; token: string }
export type SubRefreshCommand = { type: 'sub_refresh'; id: number; channel: string; token: string }
/** The empty object `{}`: the client's answer to a server ping. */
export type PongCommand = { type: 'pong' }

export type ClientCommand =
  | ConnectCommand
  | SubscribeCommand
  | UnsubscribeCommand
  | PublishCommand
  | PresenceCommand
  | PresenceStatsCommand
  | HistoryCommand
  | PingCommand
  | SendCommand
  | RpcCommand
  | RefreshCommand
  | SubRefreshCommand
  | PongCommand
