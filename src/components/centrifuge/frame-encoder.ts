/**
 * The native protocol's wire format on the hub: hub events encoded once into prepared push frames.
 */
import type { ClientInfo, FrameEncoder, HubEvent } from '../../hub/types.js'
import { encodePush, type WireClientInfo } from '../../protocol/centrifuge/index.js'
import type { PreparedMessage } from '../../server/types.js'

/** The hub format key of native-protocol subscribers. */
export const centrifugeFormat = 'centrifuge-json'

/** Engine client info → wire client info (same fields; optional ones only when set). */
export function toWireInfo(info: ClientInfo): WireClientInfo {
  const wire: WireClientInfo = { user: info.user, client: info.client }
  if (info.connInfo !== undefined) wire.connInfo = info.connInfo
  if (info.chanInfo !== undefined) wire.chanInfo = info.chanInfo
  return wire
}

/**
 * Encodes each hub event once into a push line framed once for every native-protocol
 * subscriber of the channel. Client-side and server-side subscriptions share the encoding: the
 * client routes pushes by `channel`.
 */
export class CentrifugeFrameEncoder implements FrameEncoder<PreparedMessage> {
  readonly #prepare: (text: string) => PreparedMessage

  constructor(prepare: (text: string) => PreparedMessage) {
    this.#prepare = prepare
  }

  encode(event: HubEvent): PreparedMessage {
    return this.#prepare(encodeHubEvent(event))
  }
}

/** The push line for a hub event. */
function encodeHubEvent(event: HubEvent): string {
  switch (event.type) {
    case 'publication': {
      const { publication } = event
      return encodePush({
        type: 'pub',
        channel: event.channel,
        publication: {
          data: publication.data,
          offset: publication.offset,
          ...(publication.info === undefined ? {} : { info: toWireInfo(publication.info) }),
          ...(publication.tags === undefined ? {} : { tags: publication.tags }),
        },
      })
    }
    case 'join':
      return encodePush({ type: 'join', channel: event.channel, info: toWireInfo(event.info) })
    case 'leave':
      return encodePush({ type: 'leave', channel: event.channel, info: toWireInfo(event.info) })
    default: {
      const _: never = event
      return _
    }
  }
}
