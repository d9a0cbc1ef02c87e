/** The Pusher protocol's library call: `mountPusher(app, …)` puts it on `[path]/app/{key}` of an `App`. */
import { PusherCode } from '../../protocol/pusher/index.js'
import type { App } from '../../server/app.js'
import { pusherDefaults } from './options.js'
import { PusherComponent, type PusherComponentOptions } from './pusher-component.js'

/** The component's options (its frames are prepared by the App), and the route's. */
export type MountPusherOptions = Omit<PusherComponentOptions, 'prepare'> & {
  /** Largest WebSocket message; larger closes with 1009. Default 65,536. */
  maxMessageBytes?: number
  /** Origin allow-list for the route (see `App.route`). Default: the App's default (same host). */
  allowedOrigins?: readonly string[]
}

/**
 * Mounts the Pusher protocol on `app` at `[path]/app/*`: slow consumers close with 4100 (pusher-js
 * backs off, then reconnects). Returns the component (for `shutdown()` and `close()`).
 */
export function mountPusher(app: App, mount: MountPusherOptions): PusherComponent {
  const path = mount.path ?? pusherDefaults.path
  const { maxMessageBytes, allowedOrigins, ...componentOptions } = mount
  const component = new PusherComponent({ ...componentOptions, path, prepare: (text) => app.prepare(text) })
  app.route(`${path}/app/*`, component, allowedOrigins, {
    maxMessageBytes: maxMessageBytes ?? pusherDefaults.maxMessageBytes,
    slowConsumerCloseCode: PusherCode.overCapacity,
  })
  return component
}
