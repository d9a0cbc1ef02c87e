/**
 * What `sprocket serve` hands every mount: the seam between the composition root and the features.
 */
import type { Registry } from 'prom-client'
import type { Config } from '../config/index.js'
import type { Engine } from '../engine/index.js'
import type { HubApi } from '../hub/index.js'
import type { App } from '../server/app.js'
import type { RpcRegistry } from '../components/centrifuge/rpc-registry.js'
import type { Logger } from '../logger.js'

/** What `sprocket serve` built, handed to every feature that mounts itself on the server. */
export type ServeContext = {
  readonly config: Config
  readonly logger: Logger
  readonly app: App
  readonly engine: Engine
  /** Channels, presence and history; features publish and subscribe through it. */
  readonly hub: HubApi
  /** The Prometheus registry served at /metrics; features register their metrics here. */
  readonly registry: Registry
  /** RPC methods of the native protocol, shared by the features that add some (the chat). */
  readonly rpc: RpcRegistry
  /** In demo mode with chat demo sign-in: the secret demo tokens are signed and verified with. */
  readonly demoTokenSecret?: string
  /**
   * Registers work to run at shutdown, after the server stopped accepting and closed its
   * connections and before the hub and engine close. Closers run in reverse order of registration.
   */
  onShutdown(close: () => void | Promise<void>): void
}

/**
 * A feature's hook into `sprocket serve`: adds its routes to `context.app`. Runs before the
 * server listens, in the order of `mounts`; a returned promise is awaited, any other value ignored.
 */
export type Mount = (context: ServeContext) => unknown
