/**
 * The native protocol's wire format on the hub: hub events encoded once into prepared push frames.
 */
import type { FrameEncoder, HubEvent } from '../../hub/types.js'
import { encodePush } from '../../protocol/centrifuge/index.js'
import type { PreparedMessage } from '../../server/types.js'
import { toWireInfo, toWirePublication } from './wire.js'

/** The hub format key of native-protocol subscribers. */
export const centrifugeFormat = 'centrifuge-json'

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
    case 'publication':
      return encodePush({ type: 'pub', channel: event.channel, publication: toWirePublication(event.publication) })
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
