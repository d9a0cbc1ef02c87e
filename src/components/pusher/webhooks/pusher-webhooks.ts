/**
 * The apps' webhooks: turns hub observations (occupied, vacated, joins, leaves) and the
 * component's client events and cache misses into webhook events of the app whose channel it is,
 * debounces the "gone" ones, and hands them to each of the app's `WebhookTarget`s.
 */
import type { ClientInfo, HubApi } from '../../../hub/types.js'
import { silentLogger, type Logger } from '../../../logger.js'
import { appChannelOf, namespacesOf, type PusherApp, type PusherApps, type WebhookEvent } from '../../../protocol/pusher/index.js'
import type { WebhookDeliveryOptions } from '../options.js'
import { Debouncer } from './debouncer.js'
import { WebhookTarget, type WebhookMetrics } from './webhook-target.js'

const noMetrics: WebhookMetrics = { delivered: () => {}, failed: () => {}, dropped: () => {} }

/**
 * Webhooks of every app that configures some. `occupied`/`vacated` follow this node's
 * subscriptions (see `HubObserver`); member events follow the joins and leaves this node
 * announces, which the hub counts per user across nodes. `close()` stops everything.
 */
export class PusherWebhooks {
  readonly #targets = new Map<string, WebhookTarget[]>()
  readonly #byNamespace = new Map<string, PusherApp>()
  readonly #debouncer: Debouncer
  readonly #stopObserving: () => void

  constructor(hub: HubApi, apps: PusherApps, options: WebhookDeliveryOptions, logger: Logger = silentLogger, metrics: WebhookMetrics = noMetrics) {
    this.#debouncer = new Debouncer(options.debounceMs)
    for (const app of apps.all()) {
      if (app.webhooks.length === 0) continue
      this.#targets.set(app.id, app.webhooks.map((hook) => new WebhookTarget(app, hook.url, hook.events, options, logger, metrics)))
      for (const namespace of namespacesOf(app.namespace)) this.#byNamespace.set(namespace, app)
    }
    this.#stopObserving =
      this.#targets.size === 0
        ? () => {}
        : hub.observe({
            onOccupied: (channel) => this.#channel(channel, (app, name) => {
              if (!this.#debouncer.back(`${app.id}\u0000${name}`)) this.#send(app, { name: 'channel_occupied', channel: name })
            }),
            onVacated: (channel) => this.#channel(channel, (app, name) => {
              this.#debouncer.gone(`${app.id}\u0000${name}`, () => this.#send(app, { name: 'channel_vacated', channel: name }))
            }),
            onJoin: (channel, info) => this.#member(channel, info, 'member_added'),
            onLeave: (channel, info) => this.#member(channel, info, 'member_removed'),
          })
  }

  /** A client event relayed on one of the app's channels. */
  clientEvent(app: PusherApp, channel: string, event: string, data: string, socketId: string, userId: string | undefined): void {
    this.#send(app, { name: 'client_event', channel, event, data, socket_id: socketId, ...(userId === undefined ? {} : { user_id: userId }) })
  }

  /** A subscription to a cache channel found nothing cached. */
  cacheMiss(app: PusherApp, channel: string): void {
    this.#send(app, { name: 'cache_miss', channel })
  }

  close(): void {
    this.#stopObserving()
    this.#debouncer.close()
    for (const targets of this.#targets.values()) for (const target of targets) target.close()
  }

  #member(channel: string, info: ClientInfo, name: 'member_added' | 'member_removed'): void {
    if (info.user === '') return
    this.#channel(channel, (app, pusherName) => {
      if (!pusherName.startsWith('presence-')) return
      const key = `${app.id}\u0000${pusherName}\u0000${info.user}`
      if (name === 'member_added') {
        if (!this.#debouncer.back(key)) this.#send(app, { name, channel: pusherName, user_id: info.user })
      } else {
        this.#debouncer.gone(key, () => this.#send(app, { name, channel: pusherName, user_id: info.user }))
      }
    })
  }

  /** Runs `then` when the hub channel is one of an app's channels (user channels excluded). */
  #channel(hubChannel: string, then: (app: PusherApp, name: string) => void): void {
    const colon = hubChannel.indexOf(':')
    const namespace = hubChannel.slice(hubChannel.startsWith('$') ? 1 : 0, colon)
    const app = this.#byNamespace.get(namespace)
    if (app === undefined) return
    const channel = appChannelOf(app.namespace, hubChannel)
    if (channel === undefined || channel.kind === 'user') return
    then(app, channel.name)
  }

  #send(app: PusherApp, event: WebhookEvent): void {
    for (const target of this.#targets.get(app.id) ?? []) target.push(event)
  }
}
