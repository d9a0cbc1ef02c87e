/** The native protocol's library call: `mountCentrifuge(app, …)` puts it on a route of an `App`. */
import type { TokenVerifier } from '../../auth/types.js'
import type { HubApi } from '../../hub/types.js'
import { DisconnectCode } from '../../protocol/centrifuge/index.js'
import type { App } from '../../server/app.js'
import { CentrifugeComponent } from './centrifuge-component.js'
import type { CentrifugeOptions } from './options.js'
import type { RpcRegistry } from './rpc-registry.js'
import type { Logger } from '../../logger.js'

/** Where Centrifugo clients connect by default. */
export const centrifugePath = '/connection/websocket'

export type MountCentrifugeOptions = {
  hub: HubApi
  /** Token verifier; without one, only anonymous connections work (when `options.allowAnonymous`). */
  auth?: TokenVerifier
  /** RPC methods (`chat.*` …) and the `send` handler. */
  rpc?: RpcRegistry
  options?: CentrifugeOptions
  logger?: Logger
  /** Default `/connection/websocket`. */
  path?: string
  /** Origin allow-list for the route (see `App.route`). Default: the App's default (same host). */
  allowedOrigins?: readonly string[]
}

/**
 * Mounts the native protocol on `app` at `/connection/websocket`: messages above
 * `options.maxMessageBytes` (64 KiB) close with 1009, slow consumers close with 3008.
 * Returns the component (for `shutdown()` and `close()`).
 */
export function mountCentrifuge(app: App, mount: MountCentrifugeOptions): CentrifugeComponent {
  const component = new CentrifugeComponent({
    hub: mount.hub,
    prepare: (text) => app.prepare(text),
    ...(mount.auth === undefined ? {} : { auth: mount.auth }),
    ...(mount.rpc === undefined ? {} : { rpc: mount.rpc }),
    ...(mount.options === undefined ? {} : { options: mount.options }),
    ...(mount.logger === undefined ? {} : { logger: mount.logger }),
  })
  app.route(mount.path ?? centrifugePath, component, mount.allowedOrigins, {
    maxMessageBytes: component.options.maxMessageBytes,
    slowConsumerCloseCode: DisconnectCode.slow,
  })
  return component
}
