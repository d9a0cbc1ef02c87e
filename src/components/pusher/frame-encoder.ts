/**
 * The Pusher wire format on the hub: each hub event encoded once into a prepared frame for every
 * Pusher subscriber of the channel (channel events, `member_added`, `member_removed`).
 */
import type { FrameEncoder, HubEvent } from '../../hub/types.js'
import { encodeChannelEvent, encodeMemberAdded, encodeMemberRemoved, fromHubPayload, pusherNameOf } from '../../protocol/pusher/index.js'
import type { PreparedMessage } from '../../server/types.js'

/** The hub format key of Pusher subscribers. */
export const pusherFormat = 'pusher-json'

/** `chanInfo` holds a presence member's `user_info` as JSON text. */
function userInfoOf(chanInfo: string | undefined): unknown {
  if (chanInfo === undefined) return undefined
  try {
    return JSON.parse(chanInfo)
  } catch {
    return undefined
  }
}

/**
 * Encodes hub events for Pusher clients. Join and leave become member events on presence
 * channels only (they are per user: the hub announces a user's first join and last leave).
 * Client events on presence channels carry the sender's `user_id`.
 */
export class PusherFrameEncoder implements FrameEncoder<PreparedMessage> {
  readonly #prepare: (text: string) => PreparedMessage

  constructor(prepare: (text: string) => PreparedMessage) {
    this.#prepare = prepare
  }

  encode(event: HubEvent): PreparedMessage | undefined {
    const channel = pusherNameOf(event.channel)
    const presence = channel.startsWith('presence-')
    switch (event.type) {
      case 'publication': {
        const { event: name, data } = fromHubPayload(event.publication.data, event.publication.tags)
        const user = event.publication.info?.user
        return this.#prepare(encodeChannelEvent(name, channel, data, presence && user !== undefined && user !== '' ? user : undefined))
      }
      case 'join':
        if (!presence || event.info.user === '') return undefined
        return this.#prepare(encodeMemberAdded(channel, event.info.user, userInfoOf(event.info.chanInfo)))
      case 'leave':
        if (!presence || event.info.user === '') return undefined
        return this.#prepare(encodeMemberRemoved(channel, event.info.user))
      default: {
        const _: never = event
        return _
      }
    }
  }
}
