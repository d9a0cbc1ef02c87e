/**
 * Client events (`client-*`): allowed only when the app enables them, only on private and
 * presence channels the sender is subscribed to, at most `maxClientEventsPerSecond` per
 * connection. Relayed through the hub to every other subscriber (the sender is skipped at
 * delivery), with the sender's `user_id` on presence channels.
 */
import { ErrorReason, PeerError } from '../../errors.js'
import { allowsClientEvents, PusherCode, toHubPayload } from '../../protocol/pusher/index.js'
import type { PusherDeps } from './handle-message.js'
import type { PusherSession } from './session.js'

/** Relays one client event, or answers `pusher:error` 4301 / 4302. */
export async function relayClientEvent({ hub, webhooks }: PusherDeps, session: PusherSession, event: string, name: string, data: string, nowMs: number): Promise<void> {
  if (!session.app.enableClientMessages) {
    session.error(PusherCode.clientEventRejected, 'client events are disabled for this app')
    return
  }
  const entry = session.channels.get(name)
  if (entry === undefined || !entry.ready) {
    session.error(PusherCode.clientEventRejected, 'client events need a subscription to the channel')
    return
  }
  if (!allowsClientEvents(entry.channel)) {
    session.error(PusherCode.clientEventRejected, 'client events are allowed on private and presence channels only')
    return
  }
  if (!session.clientEvents.take(nowMs)) {
    session.error(PusherCode.clientEventRejected, `client event rate limit (${session.app.maxClientEventsPerSecond}/s) exceeded`)
    return
  }
  try {
    await hub.publish(entry.hubChannel, { ...toHubPayload(event, data), info: { client: session.socketId, user: entry.presenceUser ?? '' } })
    webhooks?.clientEvent(session.app, name, event, data, session.socketId, entry.presenceUser)
  } catch (error) {
    if (!(error instanceof PeerError)) throw error
    const code = error.reason === ErrorReason.limitExceeded ? PusherCode.messageTooLarge : PusherCode.clientEventRejected
    session.error(code, error.message)
  }
}
