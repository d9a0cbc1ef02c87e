/**
 * Executes the hub's control messages (disconnect, unsubscribe, subscribe, refresh) on this node's sessions.
 */
import type { ControlKind } from '../../hub/control-messages.js'
import type { ControlMessage, HubApi, StreamPosition } from '../../hub/types.js'
import { DisconnectCode, UnsubscribeCode } from '../../protocol/centrifuge/index.js'
import type { Logger } from '../../logger.js'
import type { Session } from './session.js'
import type { SessionIndex } from './session-index.js'
import { subscribeResultBody } from './subscribe-handler.js'

function optionalString(message: ControlMessage, key: string): string | undefined {
  const value = message[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new TypeError(`${key} must be a string`)
  return value
}

function requiredString(message: ControlMessage, key: string): string {
  const value = optionalString(message, key)
  if (value === undefined) throw new TypeError(`${key} is required`)
  return value
}

function optionalInteger(message: ControlMessage, key: string): number | undefined {
  const value = message[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new TypeError(`${key} must be a non-negative integer`)
  return value
}

function targets(index: SessionIndex, message: ControlMessage): Session[] {
  return index.find(requiredString(message, 'user'), optionalString(message, 'client'))
}

/** Close codes a control `disconnect` may use: the protocol's 3000–3999 and the application's 4000–4999. */
function validDisconnectCode(code: number): boolean {
  return code >= 3000 && code <= 4999
}

/**
 * Registers the native protocol's handlers of every `ControlKinds` kind (see
 * `hub/control-messages.ts`): each acts on this node's sessions. Returns one function that
 * unregisters them all.
 */
export function registerControlHandlers(hub: HubApi, index: SessionIndex, logger: Logger): () => void {
  const guard = (kind: ControlKind, handle: (message: ControlMessage) => void) =>
    hub.onControl(kind, (message) => {
      try {
        handle(message)
      } catch (error) {
        logger.warn({ err: error, kind }, 'malformed control message ignored')
      }
    })

  const off = [
    guard('disconnect', (message) => {
      const code = optionalInteger(message, 'code') ?? DisconnectCode.forceDisconnect
      if (!validDisconnectCode(code)) throw new TypeError('code must be within 3000-4999')
      const reason = optionalString(message, 'reason')
      const whitelist = message['whitelist']
      const keep = new Set(Array.isArray(whitelist) ? whitelist.filter((id): id is string => typeof id === 'string') : [])
      for (const session of targets(index, message)) {
        if (!keep.has(session.clientId)) session.close(code, reason)
      }
    }),
    guard('unsubscribe', (message) => {
      const channel = requiredString(message, 'channel')
      for (const session of targets(index, message)) {
        void session.enqueue(async () => session.dropSub(channel, UnsubscribeCode.server))
      }
    }),
    guard('subscribe', (message) => {
      const channel = requiredString(message, 'channel')
      const data = message['data'] === undefined ? undefined : JSON.stringify(message['data'])
      const since = parseSince(message['since'])
      for (const session of targets(index, message)) {
        void session.enqueue(() => serverSubscribe(session, channel, data, since, logger))
      }
    }),
    guard('refresh', (message) => {
      const expired = message['expired'] === true
      const expireAt = optionalInteger(message, 'expireAt')
      for (const session of targets(index, message)) {
        if (expired) session.close(DisconnectCode.expired)
        else if (expireAt !== undefined) session.setExpiry(expireAt > 0 ? expireAt * 1000 : undefined)
      }
    }),
  ]
  return () => {
    for (const unregister of off) unregister()
  }
}

function parseSince(value: unknown): StreamPosition | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) throw new TypeError('since must be an object')
  const { offset, epoch } = value as Record<string, unknown>
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new TypeError('since.offset must be a non-negative integer')
  if (epoch !== undefined && typeof epoch !== 'string') throw new TypeError('since.epoch must be a string')
  return { offset, epoch: epoch ?? '' }
}

/** Subscribes a session server-side (the one subscribe flow) and tells its client with a `subscribe` push. */
async function serverSubscribe(
  session: Session,
  channel: string,
  data: string | undefined,
  since: StreamPosition | undefined,
  logger: Logger,
): Promise<void> {
  if (session.state !== 'connected' || session.hasSub(channel)) return
  let result
  try {
    result = await session.seat(channel, { granted: true, since }, { serverSide: true, joinLeave: true })
  } catch (error) {
    logger.warn({ err: error, channel, client: session.clientId }, 'server-side subscribe refused')
    return
  }
  if (result === undefined) return
  const body = subscribeResultBody(result, since !== undefined, data)
  session.push({ type: 'subscribe', channel, body })
  result.activate()
}
