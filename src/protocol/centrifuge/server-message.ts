/** Server → client messages of the JSON Centrifugo protocol, one discriminated union. */
import type { JsonText } from './client-command.js'

/**
 * Server → client: every message the server writes on a JSON Centrifugo connection, as one
 * discriminated union on `type`. `encodeServerMessage` turns one into a line of JSON; several
 * lines may share a WebSocket frame, joined by `\n`.
 *
 * Field names are camelCase here and snake_case on the wire; zero values are omitted on the
 * wire like Centrifugo's encoder does.
 */

/** Who published or who is present. `connInfo`/`chanInfo` are JSON text. */
export type WireClientInfo = {
  user: string
  client: string
  connInfo?: JsonText
  chanInfo?: JsonText
}

export type WirePublication = {
  data: JsonText
  /** 0 (omitted) for channels without history. */
  offset?: number
  info?: WireClientInfo
  tags?: Record<string, string>
}

/** A subscribe result; also each entry of connect `subs`. */
export type SubscribeResultBody = {
  expires?: boolean
  ttlSeconds?: number
  recoverable?: boolean
  positioned?: boolean
  epoch?: string
  offset?: number
  publications?: WirePublication[]
  recovered?: boolean
  wasRecovering?: boolean
  data?: JsonText
}

export type ConnectResultBody = {
  client: string
  version?: string
  expires?: boolean
  ttlSeconds?: number
  data?: JsonText
  subs?: Record<string, SubscribeResultBody>
  pingSeconds?: number
  pong?: boolean
}

export type RefreshResultBody = { client?: string; version?: string; expires?: boolean; ttlSeconds?: number }

/** One command's successful result, tagged by the command it answers. */
export type CommandResult =
  | { type: 'connect'; body: ConnectResultBody }
  | { type: 'subscribe'; body: SubscribeResultBody }
  | { type: 'unsubscribe' }
  | { type: 'publish' }
  | { type: 'presence'; presence: Record<string, WireClientInfo> }
  | { type: 'presence_stats'; numClients: number; numUsers: number }
  | { type: 'history'; publications: WirePublication[]; epoch: string; offset: number }
  | { type: 'rpc'; data?: JsonText }
  | { type: 'refresh'; body: RefreshResultBody }
  | { type: 'sub_refresh'; expires?: boolean; ttlSeconds?: number }

export type ErrorBody = { code: number; message: string; temporary?: boolean }

/** An asynchronous push (never carries an id). */
export type Push =
  | { type: 'pub'; channel: string; publication: WirePublication }
  | { type: 'join'; channel: string; info: WireClientInfo }
  | { type: 'leave'; channel: string; info: WireClientInfo }
  | { type: 'unsubscribe'; channel: string; code: number; reason: string }
  | { type: 'subscribe'; channel: string; body: SubscribeResultBody }
  | { type: 'message'; data: JsonText }
  | { type: 'disconnect'; code: number; reason: string }

export type ServerMessage =
  | { type: 'result'; id: number; result: CommandResult }
  | { type: 'error'; id: number; error: ErrorBody }
  | { type: 'push'; push: Push }
  /** The server ping: the empty object. */
  | { type: 'ping' }
