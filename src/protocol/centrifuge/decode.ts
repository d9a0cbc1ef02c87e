/** Decodes client frames of the JSON Centrifugo protocol into `ClientCommand`s, or refuses them. */
import { DisconnectReason, ErrorReason, PeerError } from '../../errors.js'
import { jsonNestsDeeperThan, maxJsonDepth } from '../json-depth.js'
import type {
  ClientCommand,
  ConnectSubRecovery,
  JsonText,
  RecoverPosition,
} from './client-command.js'

/**
 * Decodes client frames of the JSON Centrifugo protocol. Every field the server reads is checked
 * here; anything malformed throws `PeerError(badRequest, …, disconnect badRequest)` (107 / close 3501), which the
 * session turns into a close, as Centrifugo does for protocol violations. Unknown fields are
 * ignored (clients send newer fields, e.g. `flag`).
 */

const maxUint32 = 0xffff_ffff
const minInt32 = -0x8000_0000
const maxInt32 = 0x7fff_ffff

type Obj = Record<string, unknown>

/** Splits a frame into its command lines, skipping blank ones. */
export function splitFrame(frame: string): string[] {
  if (frame.indexOf('\n') === -1) return frame.trim() === '' ? [] : [frame]
  const lines: string[] = []
  for (const line of frame.split('\n')) {
    if (line.trim() !== '') lines.push(line)
  }
  return lines
}

/** Decodes one command line. Throws a `ProtocolError` with close code 3501 when it is malformed. */
export function decodeCommand(line: string): ClientCommand {
  if (jsonNestsDeeperThan(line)) throw badRequest(`JSON nested deeper than ${maxJsonDepth} levels`)
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw badRequest('malformed JSON')
  }
  if (!isObject(raw)) throw badRequest('command is not an object')
  if (requestFieldCount(raw) > 1) throw badRequest('more than one request field')
  const id = optionalUint32(raw, 'id') ?? 0

  if (present(raw.connect)) return decodeConnect(id, object(raw.connect, 'connect'))
  if (present(raw.subscribe)) return decodeSubscribe(id, object(raw.subscribe, 'subscribe'))
  if (present(raw.unsubscribe)) {
    return { type: 'unsubscribe', id: requireId(id), channel: channel(object(raw.unsubscribe, 'unsubscribe')) }
  }
  if (present(raw.publish)) {
    const body = object(raw.publish, 'publish')
    const data = payload(body)
    if (data === undefined) throw badRequest('publish without data')
    return { type: 'publish', id: requireId(id), channel: channel(body), data }
  }
  if (present(raw.presence)) {
    return { type: 'presence', id: requireId(id), channel: channel(object(raw.presence, 'presence')) }
  }
  if (present(raw.presence_stats)) {
    return { type: 'presence_stats', id: requireId(id), channel: channel(object(raw.presence_stats, 'presence_stats')) }
  }
  if (present(raw.history)) return decodeHistory(id, object(raw.history, 'history'))
  if (present(raw.ping)) {
    object(raw.ping, 'ping')
    return { type: 'ping', id: requireId(id) }
  }
  if (present(raw.send)) return { type: 'send', data: payload(object(raw.send, 'send')) ?? 'null' }
  if (present(raw.rpc)) {
    const body = object(raw.rpc, 'rpc')
    const data = json(body, 'data')
    const method = optionalString(body, 'method') ?? ''
    return data === undefined ? { type: 'rpc', id: requireId(id), method } : { type: 'rpc', id: requireId(id), method, data }
  }
  if (present(raw.refresh)) {
    return { type: 'refresh', id: requireId(id), token: optionalString(object(raw.refresh, 'refresh'), 'token') ?? '' }
  }
  if (present(raw.sub_refresh)) {
    const body = object(raw.sub_refresh, 'sub_refresh')
    return { type: 'sub_refresh', id: requireId(id), channel: channel(body), token: optionalString(body, 'token') ?? '' }
  }
  // Only the empty object is a pong (the client answers a ping with `{}`); anything else with no
  // known command, with or without an id, is a request this server cannot serve.
  if (Object.keys(raw).length !== 0) throw badRequest('unknown command')
  return { type: 'pong' }
}

/** The request fields of a command: exactly one may be set. */
const requestFields = [
  'connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'ping', 'send', 'rpc', 'refresh', 'sub_refresh',
] as const

function requestFieldCount(raw: Obj): number {
  let count = 0
  for (const field of requestFields) if (present(raw[field])) count++
  return count
}

function decodeConnect(id: number, body: Obj): ClientCommand {
  const subs: Record<string, ConnectSubRecovery> = {}
  if (present(body.subs)) {
    const raw = object(body.subs, 'connect.subs')
    for (const name of Object.keys(raw)) {
      const sub = object(raw[name], 'connect.subs entry')
      subs[name] = {
        recover: optionalBoolean(sub, 'recover') ?? false,
        offset: optionalOffset(sub, 'offset') ?? 0,
        epoch: optionalString(sub, 'epoch') ?? '',
      }
    }
  }
  const command: ClientCommand = {
    type: 'connect',
    id: requireId(id),
    token: optionalString(body, 'token') ?? '',
    subs,
    name: optionalString(body, 'name') ?? '',
    version: optionalString(body, 'version') ?? '',
  }
  const data = json(body, 'data')
  if (data !== undefined) command.data = data
  if (present(body.headers)) object(body.headers, 'connect.headers')
  return command
}

function decodeSubscribe(id: number, body: Obj): ClientCommand {
  const command: ClientCommand = {
    type: 'subscribe',
    id: requireId(id),
    channel: channel(body),
    token: optionalString(body, 'token') ?? '',
    positioned: optionalBoolean(body, 'positioned') ?? false,
    recoverable: optionalBoolean(body, 'recoverable') ?? false,
    joinLeave: optionalBoolean(body, 'join_leave') ?? false,
    flag: optionalInteger(body, 'flag', 0, Number.MAX_SAFE_INTEGER) ?? 0,
  }
  const data = json(body, 'data')
  if (data !== undefined) command.data = data
  const offset = optionalOffset(body, 'offset') ?? 0
  const epoch = optionalString(body, 'epoch') ?? ''
  if (optionalBoolean(body, 'recover') === true) command.recover = { offset, epoch }
  return command
}

function decodeHistory(id: number, body: Obj): ClientCommand {
  const command: ClientCommand = {
    type: 'history',
    id: requireId(id),
    channel: channel(body),
    limit: optionalInteger(body, 'limit', minInt32, maxInt32) ?? 0,
    reverse: optionalBoolean(body, 'reverse') ?? false,
  }
  if (present(body.since)) command.since = position(object(body.since, 'history.since'))
  return command
}

function position(body: Obj): RecoverPosition {
  return { offset: optionalOffset(body, 'offset') ?? 0, epoch: optionalString(body, 'epoch') ?? '' }
}

function requireId(id: number): number {
  if (id === 0) throw badRequest('command without id')
  return id
}

function channel(body: Obj): string {
  const value = optionalString(body, 'channel')
  if (value === undefined || value === '') throw badRequest('empty channel')
  return value
}

/** Protobuf JSON treats null like an absent field. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function object(value: unknown, what: string): Obj {
  if (!isObject(value)) throw badRequest(`${what} is not an object`)
  return value
}

function optionalString(body: Obj, key: string): string | undefined {
  const value = body[key]
  if (!present(value)) return undefined
  if (typeof value !== 'string') throw badRequest(`${key} is not a string`)
  return value
}

function optionalBoolean(body: Obj, key: string): boolean | undefined {
  const value = body[key]
  if (!present(value)) return undefined
  if (typeof value !== 'boolean') throw badRequest(`${key} is not a boolean`)
  return value
}

function optionalInteger(body: Obj, key: string, min: number, max: number): number | undefined {
  const value = body[key]
  if (!present(value)) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`${key} is not an integer in range`)
  }
  return value
}

function optionalUint32(body: Obj, key: string): number | undefined {
  return optionalInteger(body, key, 0, maxUint32)
}

/** Offsets are uint64 on the wire; JavaScript clients keep them below 2^53. */
function optionalOffset(body: Obj, key: string): number | undefined {
  return optionalInteger(body, key, 0, Number.MAX_SAFE_INTEGER)
}

/** An embedded JSON value (`data`), returned as JSON text; absent or null → undefined. */
function json(body: Obj, key: string): JsonText | undefined {
  const value = body[key]
  if (!present(value)) return undefined
  return JSON.stringify(value)
}

/** A required payload: `null` is a value here (the app published null), only absence is missing. */
function payload(body: Obj): JsonText | undefined {
  return body.data === undefined ? undefined : JSON.stringify(body.data)
}

function badRequest(message: string): PeerError {
  return new PeerError(ErrorReason.badRequest, message, { disconnect: DisconnectReason.badRequest })
}
