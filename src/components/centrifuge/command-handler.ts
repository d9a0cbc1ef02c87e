/**
 * Runs one decoded client command of a native-protocol session (dispatch to the per-command handlers).
 */
import { DisconnectReason, ErrorReason, PeerError } from '../../errors.js'
import {
  encodeServerMessage,
  type ClientCommand,
  type HistoryCommand,
  type RpcCommand,
  type SendCommand,
  type WireClientInfo,
} from '../../protocol/centrifuge/index.js'
import { handleConnect, handleRefresh } from './connect-handler.js'
import { toWireInfo, toWirePublication } from './wire.js'
import type { RpcContext } from './rpc-registry.js'
import type { Session } from './session.js'
import { handleSubRefresh, handleSubscribe, handleUnsubscribe } from './subscribe-handler.js'

function badRequest(message: string): PeerError {
  return new PeerError(ErrorReason.badRequest, message, { disconnect: DisconnectReason.badRequest })
}

/**
 * Runs one decoded command for a session. Refusals are thrown as `PeerError`: with a `disconnect`
 * code they close the connection, without one they become the command's error reply.
 */
export async function handleCommand(session: Session, command: ClientCommand): Promise<void> {
  if (command.type === 'connect') {
    if (session.state !== 'connecting') throw badRequest('already connected')
    await handleConnect(session, command)
    return
  }
  if (session.state !== 'connected') throw badRequest('command before connect')
  switch (command.type) {
    case 'subscribe':
      return handleSubscribe(session, command)
    case 'unsubscribe':
      return handleUnsubscribe(session, command)
    case 'sub_refresh':
      return handleSubRefresh(session, command)
    case 'refresh':
      return handleRefresh(session, command)
    case 'publish': {
      const { hub } = session.deps
      await hub.publish(command.channel, { data: command.data, actor: session.actor, info: session.clientInfo() })
      session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'publish' } }))
      return
    }
    case 'presence': {
      const entries = await session.deps.hub.presence(command.channel, session.actor)
      const presence: Record<string, WireClientInfo> = {}
      for (const [client, info] of Object.entries(entries)) presence[client] = toWireInfo(info)
      session.reply(encodeServerMessage({ type: 'result', id: command.id, result: { type: 'presence', presence } }))
      return
    }
    case 'presence_stats': {
      const stats = await session.deps.hub.presenceStats(command.channel, session.actor)
      session.reply(
        encodeServerMessage({
          type: 'result',
          id: command.id,
          result: { type: 'presence_stats', numClients: stats.numClients, numUsers: stats.numUsers },
        }),
      )
      return
    }
    case 'history':
      return handleHistory(session, command)
    case 'rpc':
      return handleRpc(session, command)
    case 'send':
      return handleSend(session, command)
    case 'ping':
      throw new PeerError(ErrorReason.notAvailable, 'not available')
    case 'pong':
      return
    default: {
      const _: never = command
      return _
    }
  }
}

/** `limit`: 0 → position only, negative → everything retained, both capped by `historyMaxPublications`. */
async function handleHistory(session: Session, command: HistoryCommand): Promise<void> {
  const max = session.deps.options.historyMaxPublications
  const limit = command.limit < 0 ? max : Math.min(command.limit, max)
  if (command.reverse && command.since !== undefined && command.since.offset === 0) {
    throw new PeerError(ErrorReason.badRequest, 'bad request')
  }
  const result = await session.deps.hub.history(
    command.channel,
    { limit, reverse: command.reverse, ...(command.since === undefined ? {} : { since: command.since }) },
    session.actor,
  )
  const publications = result.publications.map(toWirePublication)
  session.reply(
    encodeServerMessage({
      type: 'result',
      id: command.id,
      result: { type: 'history', publications, epoch: result.epoch, offset: result.offset },
    }),
  )
}

function rpcContext(session: Session): RpcContext {
  const ctx: RpcContext = { userId: session.userId, clientId: session.clientId, conn: session.conn }
  if (session.info !== undefined) ctx.info = session.info
  return ctx
}

/** Handler errors: `RpcError` or `PeerError` → replied; anything else → logged, 100 replied. */
async function handleRpc(session: Session, command: RpcCommand): Promise<void> {
  const data = command.data === undefined ? undefined : (JSON.parse(command.data) as unknown)
  const result = await session.deps.rpc.call(command.method, rpcContext(session), data)
  const text = result === undefined ? undefined : JSON.stringify(result)
  session.reply(encodeServerMessage({ type: 'result', id: command.id, result: text === undefined ? { type: 'rpc' } : { type: 'rpc', data: text } }))
}

/** No reply either way; without a handler Centrifugo closes with 3508, and so do we. */
async function handleSend(session: Session, command: SendCommand): Promise<void> {
  const handler = session.deps.rpc.sendHandler
  if (handler === undefined) throw new PeerError(ErrorReason.notAvailable, 'not available', { disconnect: DisconnectReason.notAvailable })
  try {
    await handler(rpcContext(session), JSON.parse(command.data) as unknown)
  } catch (error) {
    session.deps.logger.warn({ err: error, client: session.clientId }, 'send handler failed')
  }
}
