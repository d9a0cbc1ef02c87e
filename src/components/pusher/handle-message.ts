/**
 * Runs one decoded client message on its session: the exhaustive switch over `ClientMessage`.
 */
import type { HubApi } from '../../hub/types.js'
import { encodePong, type ClientMessage } from '../../protocol/pusher/index.js'
import { relayClientEvent } from './client-events.js'
import type { PusherSession } from './session.js'
import { signin } from './signin.js'
import type { PusherWebhooks } from './webhooks/pusher-webhooks.js'
import { subscribe, unsubscribe } from './subscribe.js'

/** What message handling uses besides the session. */
export type PusherDeps = { readonly hub: HubApi; readonly webhooks: PusherWebhooks | undefined }

export async function handleMessage(deps: PusherDeps, session: PusherSession, message: ClientMessage, nowMs: number): Promise<void> {
  switch (message.type) {
    case 'ping':
      session.send(encodePong())
      return
    case 'pong':
      return
    case 'subscribe':
      await subscribe(deps, session, message.channel, message.auth, message.channelData)
      return
    case 'unsubscribe':
      await unsubscribe(deps.hub, session, message.channel)
      return
    case 'signin':
      signin(session, message.auth, message.userData)
      return
    case 'client-event':
      await relayClientEvent(deps, session, message.event, message.channel, message.data, nowMs)
      return
    default: {
      const _: never = message
      return _
    }
  }
}
