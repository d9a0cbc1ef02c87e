/** The Pusher protocol's library call: `mountPusher(app, …)` puts it on `[path]/app/{key}` of an `App`. */
import type { HubApi } from '../../hub/types.js'
import type { Logger } from '../../logger.js'
import { PusherCode, type PusherApps } from '../../protocol/pusher/index.js'
import type { App } from '../../server/app.js'
import { pusherDefaults } from './options.js'
import { PusherComponent } from './pusher-component.js'
import type { PusherWebhooks } from './webhooks/pusher-webhooks.js'

export type MountPusherOptions = {
  hub: HubApi
  apps: PusherApps
  /** Prefix before `/app/{key}` (pusher-js `wsPath`); default ''. */
  path?: string
  activityTimeoutSeconds?: number
  pongTimeoutMs?: number
  maxMessagesPerSecond?: number
  messageBurst?: number
  /** Largest WebSocket message; larger closes with 1009. Default 65,536. */
  maxMessageBytes?: number
  logger?: Logger
  /** The apps' webhooks (see `PusherWebhooks`); the caller closes them. */
  webhooks?: PusherWebhooks
  /** Origin allow-list for the route (see `App.route`). Default: the App's default (same host). */
  allowedOrigins?: readonly string[]
}

/**
 * Mounts the Pusher protocol on `app` at `[path]/app/*`: slow consumers close with 4100 (pusher-js
 * backs off, then reconnects). Returns the component (for `shutdown()` and `close()`).
 */
export function mountPusher(app: App, mount: MountPusherOptions): PusherComponent {
  const path = mount.path ?? pusherDefaults.path
  const component = new PusherComponent({
    hub: mount.hub,
    apps: mount.apps,
    path,
    prepare: (text) => app.prepare(text),
    ...(mount.activityTimeoutSeconds === undefined ? {} : { activityTimeoutSeconds: mount.activityTimeoutSeconds }),
    ...(mount.pongTimeoutMs === undefined ? {} : { pongTimeoutMs: mount.pongTimeoutMs }),
    ...(mount.maxMessagesPerSecond === undefined ? {} : { maxMessagesPerSecond: mount.maxMessagesPerSecond }),
    ...(mount.messageBurst === undefined ? {} : { messageBurst: mount.messageBurst }),
    ...(mount.logger === undefined ? {} : { logger: mount.logger }),
    ...(mount.webhooks === undefined ? {} : { webhooks: mount.webhooks }),
  })
  app.route(`${path}/app/*`, component, mount.allowedOrigins, {
    maxMessageBytes: mount.maxMessageBytes ?? pusherDefaults.maxMessageBytes,
    slowConsumerCloseCode: PusherCode.overCapacity,
  })
  return component
}
