/**
 * The bodies of `POST /apps/{id}/events` and `/batch_events`, decoded with zod and bounded by the
 * app's limits: name length, data size (413), channels per event, events per batch, channel names,
 * `socket_id` shape.
 */
import { z } from 'zod'
import { parsePusherChannel, socketIdPattern, type PusherApp, type PusherChannel } from '../../protocol/pusher/index.js'

/** One event to publish, checked. */
export type TriggerEvent = { name: string; data: string; channels: PusherChannel[]; socketId: string | undefined; info: string[] }

/** A refusal with Pusher's status. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413,
    message: string,
  ) {
    super(message)
    this.name = 'ApiRefusal'
  }
}

const eventSchema = z.looseObject({
  name: z.string(),
  data: z.string(),
  channels: z.array(z.string()).optional(),
  channel: z.string().optional(),
  socket_id: z.string().optional(),
  info: z.string().optional(),
})

const batchSchema = z.looseObject({ batch: z.array(z.unknown()) })

/** `info` attributes a caller may ask for. */
const infoAttributes = new Set(['subscription_count', 'user_count'])

export function parseInfo(info: string | undefined): string[] {
  if (info === undefined || info === '') return []
  const attributes = info.split(',')
  for (const attribute of attributes) {
    if (!infoAttributes.has(attribute)) throw new ApiRefusal(400, `unknown info attribute: ${attribute.slice(0, 64)}`)
  }
  return attributes
}

function checkEvent(app: PusherApp, raw: unknown): TriggerEvent {
  const parsed = eventSchema.safeParse(raw)
  if (!parsed.success) throw new ApiRefusal(400, 'an event needs a string name, string data, and channels or channel')
  const { name, data, channels, channel, socket_id: socketId, info } = parsed.data
  if (name === '' || name.length > app.maxEventNameLength) throw new ApiRefusal(400, `event name must be 1-${app.maxEventNameLength} characters`)
  if (Buffer.byteLength(data, 'utf8') > app.maxEventBytes) throw new ApiRefusal(413, `event data is larger than ${app.maxEventBytes} bytes`)
  const names = channels ?? (channel === undefined ? [] : [channel])
  if (names.length === 0) throw new ApiRefusal(400, 'an event needs at least one channel')
  if (names.length > app.maxEventChannels) throw new ApiRefusal(400, `an event may name at most ${app.maxEventChannels} channels`)
  const parsedChannels = names.map((text) => {
    const parsedChannel = parsePusherChannel(text)
    if (parsedChannel === undefined) throw new ApiRefusal(400, `invalid channel name: ${text.slice(0, 200)}`)
    return parsedChannel
  })
  if (socketId !== undefined && !socketIdPattern.test(socketId)) throw new ApiRefusal(400, 'invalid socket_id')
  return { name, data, channels: parsedChannels, socketId, info: parseInfo(info) }
}

function json(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    throw new ApiRefusal(400, 'the body is not JSON')
  }
}

export function parseEventBody(app: PusherApp, body: Uint8Array): TriggerEvent {
  return checkEvent(app, json(body))
}

export function parseBatchBody(app: PusherApp, body: Uint8Array): TriggerEvent[] {
  const parsed = batchSchema.safeParse(json(body))
  if (!parsed.success) throw new ApiRefusal(400, 'a batch is {"batch":[…]}')
  if (parsed.data.batch.length > app.maxBatchEvents) throw new ApiRefusal(400, `a batch may carry at most ${app.maxBatchEvents} events`)
  const events = parsed.data.batch.map((event) => checkEvent(app, event))
  if (events.some((event) => event.channels.length !== 1)) throw new ApiRefusal(400, 'a batch event names exactly one channel')
  return events
}
