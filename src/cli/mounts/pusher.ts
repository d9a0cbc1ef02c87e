/**
 * `sprocket serve`'s Pusher protocol: the WebSocket endpoint `[path]/app/{key}` and the REST API
 * `[path]/apps/{id}/…`, configured from the `pusher` section. Mounted only when an app is configured.
 */
import { Counter, type Registry } from 'prom-client'
import { mountPusher, pusherAppsOf, PusherWebhooks, type PusherConfig, type WebhookMetrics } from '../../components/pusher/index.js'
import { mountPusherApi } from '../../http/pusher-api/pusher-api.js'
import type { HubApi } from '../../hub/types.js'
import type { Logger } from '../../logger.js'
import { PusherApps } from '../../protocol/pusher/index.js'
import type { App } from '../../server/app.js'
import { routeOrigins, type OriginSettings } from '../route-origins.js'

/** The part of `sprocket serve`'s context the Pusher protocol needs. */
export type PusherMountContext = {
  app: App
  hub: HubApi
  /** Where the webhook delivery counters are registered. */
  registry: Registry
  config: { pusher: PusherConfig } & OriginSettings
  logger: Logger
  onShutdown(close: () => void | Promise<void>): void
}

/** `sprocket_pusher_webhook_events_total{result="delivered"|"failed"|"dropped"}`. */
function webhookMetrics(registry: Registry): WebhookMetrics {
  const events = new Counter({
    name: 'sprocket_pusher_webhook_events_total',
    help: 'Pusher webhook events by outcome: delivered, failed (given up after retries) or dropped (queue full)',
    labelNames: ['result'],
    registers: [registry],
  })
  return {
    delivered: (count) => events.inc({ result: 'delivered' }, count),
    failed: (count) => events.inc({ result: 'failed' }, count),
    dropped: (count) => events.inc({ result: 'dropped' }, count),
  }
}

/** `sprocket serve`'s hook. The apps' hub namespaces were added when the hub was built (`startServer`). */
export function pusherMount(context: PusherMountContext): void {
  const { pusher } = context.config
  const apps = new PusherApps(pusherAppsOf(pusher))
  if (apps.size === 0) return
  const logger = context.logger.child?.({ component: 'pusher' }) ?? context.logger
  const webhooks = new PusherWebhooks(context.hub, apps, pusher.webhookDelivery, logger, webhookMetrics(context.registry))
  const component = mountPusher(context.app, {
    hub: context.hub,
    apps,
    path: pusher.path,
    activityTimeoutSeconds: pusher.activityTimeoutSeconds,
    pongTimeoutMs: pusher.pongTimeoutMs,
    maxMessagesPerSecond: pusher.maxMessagesPerSecond,
    messageBurst: pusher.messageBurst,
    maxMessageBytes: pusher.maxMessageBytes,
    allowedOrigins: routeOrigins(context.config),
    logger,
    webhooks,
  })
  mountPusherApi(context.app, { hub: context.hub, apps, path: pusher.path, maxBodyBytes: pusher.maxBodyBytes, logger })
  context.onShutdown(() => {
    component.close()
    webhooks.close()
  })
  logger.info({ apps: [...apps.all()].map((app) => app.id), path: `${pusher.path}/app/{key}` }, 'Pusher protocol mounted')
}
