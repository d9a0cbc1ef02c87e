import type { HubApi, Subscriber } from '../../src/hub/types.js'
import type { Component, Conn, PreparedMessage } from '../../src/server/types.js'

/** The wire format key the bench component registers with the hub. */
export const benchFormat = 'bench'

/**
 * The fan-out bench's component: every connection is subscribed, server-side, to one channel;
 * publications reach it as their raw JSON `data`, framed once per publication (`App.prepare`)
 * and written to each subscriber with `sendPrepared`.
 */
export class FanoutBenchComponent implements Component {
  readonly #hub: HubApi
  readonly #channel: string
  readonly #subscribers = new WeakMap<Conn, Subscriber<PreparedMessage>>()

  constructor(hub: HubApi, channel: string, prepare: (data: string) => PreparedMessage) {
    this.#hub = hub
    this.#channel = channel
    hub.registerFormat<PreparedMessage>(benchFormat, {
      encode: (event) => (event.type === 'publication' ? prepare(event.publication.data) : undefined),
    })
  }

  async onOpen(conn: Conn): Promise<void> {
    const subscriber: Subscriber<PreparedMessage> = {
      clientId: conn.id,
      userId: '',
      format: benchFormat,
      deliver: (frame) => conn.sendPrepared(frame),
    }
    this.#subscribers.set(conn, subscriber)
    const result = await this.#hub.subscribe(subscriber as Subscriber, this.#channel, {
      info: { user: '', client: conn.id },
      granted: true,
    })
    result.activate()
  }

  onMessage(): void {}

  async onClose(conn: Conn): Promise<void> {
    const subscriber = this.#subscribers.get(conn)
    if (subscriber !== undefined) await this.#hub.removeSubscriber(subscriber as Subscriber)
  }

  onError(): void {}
}
