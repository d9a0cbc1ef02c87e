/** `sprocket serve`'s native-protocol endpoint, configured from the `centrifuge` and `client` sections. */
import { anonymousAllowed, createTokenVerifier, hasTokenKey, type ClientAuthOptions, type TokenVerifier } from '../../auth/index.js'
import { mountCentrifuge } from '../../components/centrifuge/mount-centrifuge.js'
import type { CentrifugeConfig } from '../../components/centrifuge/options.js'
import { RpcRegistry } from '../../components/centrifuge/rpc-registry.js'
import type { Logger } from '../../logger.js'
import type { HubApi } from '../../hub/types.js'
import type { App } from '../../server/app.js'
import { routeOrigins } from '../route-origins.js'

/** The part of `sprocket serve`'s context the native protocol needs. */
export type CentrifugeMountContext = {
  app: App
  hub: HubApi
  config: {
    client: ClientAuthOptions
    allowedOrigins?: readonly string[] | undefined
    publicHosts?: readonly string[] | undefined
    /** The `centrifuge` section, already parsed; absent: the protocol's defaults. */
    centrifuge?: CentrifugeConfig
  }
  logger: Logger
  onShutdown(close: () => void | Promise<void>): void
  /** The registry RPC methods are registered on (shared with apps such as the chat); default a new one. */
  rpc?: RpcRegistry
  /**
   * The HMAC secret to verify tokens with when the `client` section configures no key (demo
   * mode), e.g. the chat's demo sign-in secret. Without it, demo mode accepts anonymous
   * connections only.
   */
  demoTokenSecret?: string
}

function verifierFor(context: CentrifugeMountContext): TokenVerifier | undefined {
  const { client } = context.config
  if (hasTokenKey(client)) return createTokenVerifier(client)
  if (context.demoTokenSecret !== undefined) return createTokenVerifier({ tokenSecret: context.demoTokenSecret })
  return undefined
}

/**
 * `sprocket serve`'s hook: the native protocol at `/connection/websocket`, tuned by the
 * `centrifuge` config section, with tokens checked per the `client` section (anonymous
 * connections allowed when it says so — by default only when no key is configured).
 */
export function centrifugeMount(context: CentrifugeMountContext): void {
  const logger = context.logger.child?.({ component: 'centrifuge' }) ?? context.logger
  const auth = verifierFor(context)
  const component = mountCentrifuge(context.app, {
    hub: context.hub,
    rpc: context.rpc ?? new RpcRegistry(),
    logger,
    allowedOrigins: routeOrigins(context.config),
    options: { ...context.config.centrifuge, allowAnonymous: anonymousAllowed(context.config.client) },
    ...(auth === undefined ? {} : { auth }),
  })
  context.onShutdown(() => component.close())
}
