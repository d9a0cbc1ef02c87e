/**
 * `sprocket serve`'s Pusher protocol: the WebSocket endpoint `[path]/app/{key}` and the REST API
 * `[path]/apps/{id}/…`, configured from the `pusher` section. Mounted only when an app is configured.
 */
import { mountPusher, pusherAppsOf, type PusherConfig } from '../../components/pusher/index.js'
import { mountPusherApi } from '../../http/pusher-api/pusher-api.js'
import type { HubApi } from '../../hub/types.js'
import type { Logger } from '../../logger.js'
import { PusherApps } from '../../protocol/pusher/index.js'
import type { App } from '../../server/app.js'

/** The part of `sprocket serve`'s context the Pusher protocol needs. */
export type PusherMountContext = {
  app: App
  hub: HubApi
  config: { pusher: PusherConfig; allowedOrigins?: readonly string[] | undefined }
  logger: Logger
  onShutdown(close: () => void | Promise<void>): void
}

/** `sprocket serve`'s hook. The apps' hub namespaces were added when the hub was built (`startServer`). */
export function pusherMount(context: PusherMountContext): void {
  const { pusher } = context.config
  const apps = new PusherApps(pusherAppsOf(pusher))
  if (apps.size === 0) return
  const logger = context.logger.child?.({ component: 'pusher' }) ?? context.logger
  const component = mountPusher(context.app, {
    hub: context.hub,
    apps,
    path: pusher.path,
    activityTimeoutSeconds: pusher.activityTimeoutSeconds,
    pongTimeoutMs: pusher.pongTimeoutMs,
    maxMessageBytes: pusher.maxMessageBytes,
    allowedOrigins: context.config.allowedOrigins,
    logger,
  })
  mountPusherApi(context.app, { hub: context.hub, apps, path: pusher.path, maxBodyBytes: pusher.maxBodyBytes, logger })
  context.onShutdown(() => component.close())
  logger.info({ apps: [...apps.all()].map((app) => app.id), path: `${pusher.path}/app/{key}` }, 'Pusher protocol mounted')
}
