/** Encodes server messages of the JSON Centrifugo protocol. */
import type { JsonText } from './client-command.js'
import type {
  CommandResult,
  ConnectResultBody,
  ErrorBody,
  Push,
  RefreshResultBody,
  ServerMessage,
  SubscribeResultBody,
  WireClientInfo,
  WirePublication,
} from './server-message.js'

/**
 * Hand-written JSON encoders for server messages. Strings go through `JSON.stringify` (which
 * never emits a raw newline, so lines can be joined with `\n`); payloads are JSON text and are
 * embedded as they are. Zero values are omitted, except `ClientInfo.user`/`client`,
 * `presence_stats` counts and `presence.presence`, which Centrifugo always writes.
 */

const str = JSON.stringify as (value: string) => string

/**
 * Embeds JSON text. A newline can only be whitespace in valid JSON, but text kept verbatim from
 * an HTTP body may be pretty-printed, and a raw newline would split the line-delimited frame.
 */
function raw(text: JsonText): string {
  return text.indexOf('\n') === -1 ? text : text.replace(/\n/g, ' ')
}

/** The server ping, `{}`. */
export const pingMessage = '{}'

export function encodeServerMessage(message: ServerMessage): string {
  switch (message.type) {
    case 'result':
      return `{"id":${message.id},${encodeResult(message.result)}}`
    case 'error':
      return encodeError(message.id, message.error)
    case 'push':
      return encodePush(message.push)
    case 'ping':
      return pingMessage
    default: {
      const _: never = message
      return _
    }
  }
}

export function encodeError(id: number, error: ErrorBody): string {
  const temporary = error.temporary === true ? ',"temporary":true' : ''
  return `{"id":${id},"error":{"code":${error.code},"message":${str(error.message)}${temporary}}}`
}

/** `"<command>":{…}` — the result field of a reply. */
function encodeResult(result: CommandResult): string {
  switch (result.type) {
    case 'connect':
      return `"connect":${encodeConnectResult(result.body)}`
    case 'subscribe':
      return `"subscribe":${encodeSubscribeResult(result.body)}`
    case 'unsubscribe':
      return '"unsubscribe":{}'
    case 'publish':
      return '"publish":{}'
    case 'presence': {
      const entries = Object.entries(result.presence).map(([client, info]) => `${str(client)}:${encodeClientInfo(info)}`)
      return `"presence":{"presence":{${entries.join(',')}}}`
    }
    case 'presence_stats':
      return `"presence_stats":{"num_clients":${result.numClients},"num_users":${result.numUsers}}`
    case 'history': {
      const fields: string[] = []
      if (result.publications.length > 0) fields.push(`"publications":[${result.publications.map(encodePublication).join(',')}]`)
      if (result.epoch !== '') fields.push(`"epoch":${str(result.epoch)}`)
      if (result.offset !== 0) fields.push(`"offset":${result.offset}`)
      return `"history":{${fields.join(',')}}`
    }
    case 'rpc':
      return result.data === undefined ? '"rpc":{}' : `"rpc":{"data":${raw(result.data)}}`
    case 'refresh':
      return `"refresh":${encodeRefreshResult(result.body)}`
    case 'sub_refresh': {
      const fields: string[] = []
      addExpiry(fields, result.expires, result.ttlSeconds)
      return `"sub_refresh":{${fields.join(',')}}`
    }
    default: {
      const _: never = result
      return _
    }
  }
}

function encodeConnectResult(body: ConnectResultBody): string {
  const fields = [`"client":${str(body.client)}`]
  if (body.version) fields.push(`"version":${str(body.version)}`)
  addExpiry(fields, body.expires, body.ttlSeconds)
  if (body.data !== undefined) fields.push(`"data":${raw(body.data)}`)
  if (body.subs !== undefined) {
    const subs = Object.entries(body.subs).map(([channel, sub]) => `${str(channel)}:${encodeSubscribeResult(sub)}`)
    if (subs.length > 0) fields.push(`"subs":{${subs.join(',')}}`)
  }
  if (body.pingSeconds) fields.push(`"ping":${body.pingSeconds}`)
  if (body.pong) fields.push('"pong":true')
  return `{${fields.join(',')}}`
}

function encodeSubscribeResult(body: SubscribeResultBody): string {
  const fields: string[] = []
  addExpiry(fields, body.expires, body.ttlSeconds)
  if (body.recoverable) fields.push('"recoverable":true')
  if (body.epoch) fields.push(`"epoch":${str(body.epoch)}`)
  if (body.publications !== undefined && body.publications.length > 0) {
    fields.push(`"publications":[${body.publications.map(encodePublication).join(',')}]`)
  }
  if (body.recovered) fields.push('"recovered":true')
  if (body.offset) fields.push(`"offset":${body.offset}`)
  if (body.positioned) fields.push('"positioned":true')
  if (body.data !== undefined) fields.push(`"data":${raw(body.data)}`)
  if (body.wasRecovering) fields.push('"was_recovering":true')
  return `{${fields.join(',')}}`
}

function encodeRefreshResult(body: RefreshResultBody): string {
  const fields: string[] = []
  if (body.client) fields.push(`"client":${str(body.client)}`)
  if (body.version) fields.push(`"version":${str(body.version)}`)
  addExpiry(fields, body.expires, body.ttlSeconds)
  return `{${fields.join(',')}}`
}

function addExpiry(fields: string[], expires: boolean | undefined, ttlSeconds: number | undefined): void {
  if (!expires) return
  fields.push('"expires":true')
  if (ttlSeconds) fields.push(`"ttl":${ttlSeconds}`)
}

function encodeClientInfo(info: WireClientInfo): string {
  let out = `{"user":${str(info.user)},"client":${str(info.client)}`
  if (info.connInfo !== undefined) out += `,"conn_info":${raw(info.connInfo)}`
  if (info.chanInfo !== undefined) out += `,"chan_info":${raw(info.chanInfo)}`
  return out + '}'
}

function encodePublication(publication: WirePublication): string {
  let out = `{"data":${raw(publication.data)}`
  if (publication.info !== undefined) out += `,"info":${encodeClientInfo(publication.info)}`
  if (publication.offset) out += `,"offset":${publication.offset}`
  if (publication.tags !== undefined) {
    const tags = Object.entries(publication.tags)
    if (tags.length > 0) out += `,"tags":{${tags.map(([k, v]) => `${str(k)}:${str(v)}`).join(',')}}`
  }
  return out + '}'
}

export function encodePush(push: Push): string {
  switch (push.type) {
    case 'pub':
      return `{"push":{"channel":${str(push.channel)},"pub":${encodePublication(push.publication)}}}`
    case 'join':
      return `{"push":{"channel":${str(push.channel)},"join":{"info":${encodeClientInfo(push.info)}}}}`
    case 'leave':
      return `{"push":{"channel":${str(push.channel)},"leave":{"info":${encodeClientInfo(push.info)}}}}`
    case 'unsubscribe':
      return `{"push":{"channel":${str(push.channel)},"unsubscribe":{"code":${push.code},"reason":${str(push.reason)}}}}`
    case 'subscribe':
      return `{"push":{"channel":${str(push.channel)},"subscribe":${encodeSubscribeResult(push.body)}}}`
    case 'message':
      return `{"push":{"message":{"data":${raw(push.data)}}}}`
    case 'disconnect':
      return `{"push":{"disconnect":{"code":${push.code},"reason":${str(push.reason)}}}}`
    default: {
      const _: never = push
      return _
    }
  }
}
