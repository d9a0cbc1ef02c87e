/**
 * Decodes Pusher client frames (text JSON `{event, channel?, data?}`) into `ClientMessage`s with
 * zod, or refuses them with `PusherProtocolError` (4300 invalid message, 4302 too large), which
 * the session answers with `pusher:error` without closing.
 */
import { jsonNestsDeeperThan, maxJsonDepth } from '../json-depth.js'
import { z } from 'zod'
import { PusherCode } from './codes.js'
import type { ClientMessage } from './client-message.js'

/** A client frame refused with a `pusher:error` code. */
export class PusherProtocolError extends Error {
  readonly code: PusherCode
  constructor(code: PusherCode, message: string) {
    super(message)
    this.name = 'PusherProtocolError'
    this.code = code
  }
}

export type DecodeLimits = {
  /** Longest event name accepted. */
  maxEventNameLength: number
  /** Largest client event data, in UTF-8 bytes of its JSON text. */
  maxEventBytes: number
}

const frameSchema = z.looseObject({
  event: z.string().min(1),
  channel: z.string().optional(),
  data: z.unknown().optional(),
})

/** pusher-js sends `data` as an object; other clients send it as a JSON string. Both are accepted. */
function dataObject(data: unknown): Record<string, unknown> {
  if (data === undefined || data === null) return {}
  if (typeof data === 'string') {
    if (data === '') return {}
    if (jsonNestsDeeperThan(data)) throw invalid(`data nested deeper than ${maxJsonDepth} levels`)
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      throw invalid('data is not JSON')
    }
    return dataObject(parsed)
  }
  if (typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>
  throw invalid('data is not an object')
}

const subscribeSchema = z.looseObject({
  channel: z.string().min(1),
  auth: z.string().optional(),
  channel_data: z.string().optional(),
})

const signinSchema = z.looseObject({ auth: z.string(), user_data: z.string().max(10_240) })

const unsubscribeSchema = z.looseObject({ channel: z.string().min(1) })

function invalid(message: string): PusherProtocolError {
  return new PusherProtocolError(PusherCode.invalidMessage, message)
}

/** Decodes one frame. Throws `PusherProtocolError` for anything malformed or unknown. */
export function decodeClientMessage(text: string, limits: DecodeLimits): ClientMessage {
  if (jsonNestsDeeperThan(text)) throw invalid(`JSON nested deeper than ${maxJsonDepth} levels`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw invalid('malformed JSON')
  }
  const frame = frameSchema.safeParse(raw)
  if (!frame.success) throw invalid('a message is a JSON object with a string event')
  const { event, channel, data } = frame.data
  if (event.length > limits.maxEventNameLength) throw invalid('event name too long')

  switch (event) {
    case 'pusher:ping':
      return { type: 'ping' }
    case 'pusher:pong':
      return { type: 'pong' }
    case 'pusher:subscribe': {
      const body = subscribeSchema.safeParse(dataObject(data))
      if (!body.success) throw invalid('pusher:subscribe needs data.channel, and string auth and channel_data')
      return { type: 'subscribe', channel: body.data.channel, auth: body.data.auth, channelData: body.data.channel_data }
    }
    case 'pusher:unsubscribe': {
      const body = unsubscribeSchema.safeParse(dataObject(data))
      if (!body.success) throw invalid('pusher:unsubscribe needs data.channel')
      return { type: 'unsubscribe', channel: body.data.channel }
    }
    case 'pusher:signin': {
      const body = signinSchema.safeParse(dataObject(data))
      if (!body.success) throw invalid('pusher:signin needs string data.auth and data.user_data')
      return { type: 'signin', auth: body.data.auth, userData: body.data.user_data }
    }
    default:
      break
  }
  if (!event.startsWith('client-')) throw invalid(`unknown event: ${event.slice(0, 64)}`)
  if (channel === undefined || channel === '') throw invalid('a client event needs a channel')
  const json = JSON.stringify(data ?? null)
  if (Buffer.byteLength(json, 'utf8') > limits.maxEventBytes) {
    throw new PusherProtocolError(PusherCode.messageTooLarge, `event data is larger than ${limits.maxEventBytes} bytes`)
  }
  return { type: 'client-event', event, channel, data: json }
}
