/** The composition root: builds engine, hub and `App` from the config and runs every mount. */
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { Config } from '../config/index.js'
import type { Logger } from '../logger.js'
import { createEngine } from '../engine/index.js'
import { createHub } from '../hub/index.js'
import { RpcRegistry } from '../components/centrifuge/rpc-registry.js'
import { withChatNamespaces } from '../components/chat/index.js'
import { pusherAppsOf, withPusherNamespaces } from '../components/pusher/index.js'
import { App } from '../server/app.js'
import { browsableUrl } from '../server/browsable-url.js'
import { appOptionsFromConfig } from './app-options-from-config.js'
import { chatDemoTokenSecret } from './mounts/chat.js'
import { mounts as defaultMounts } from './mounts/index.js'
import type { Mount, ServeContext } from './serve-context.js'

/** A started server, as `sprocket serve` holds it. */
export type RunningServer = {
  readonly context: ServeContext
  /** `http://host:port` (https with TLS; `localhost` for a wildcard host), the port being the one actually bound. */
  readonly url: string
  readonly port: number
  /**
   * Graceful stop: `/readyz` answers 503 for `drainDelayMs` while the server still serves, then
   * it stops accepting and closes connections with 1001, then the registered shutdown work runs,
   * then the hub and the engine close. Connections still open `timeoutMs` after the drain delay
   * are dropped.
   */
  close(timeoutMs: number, drainDelayMs?: number): Promise<void>
}

/**
 * The composition root: config → engine → hub → App with every mounted feature → listen.
 * `mounts` defaults to the built-in list (`mounts/index.ts`).
 */
export async function startServer(config: Config, logger: Logger, mounts: readonly Mount[] = defaultMounts): Promise<RunningServer> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'sprocket_' })
  // Built first: it reads the TLS files, so a bad path fails before anything is opened.
  const appOptions = appOptionsFromConfig(config, logger, registry)
  const engine = await createEngine(config.engine, { dataDir: config.dataDir, logger })
  const channels = withPusherNamespaces(withChatNamespaces(config.channels, config.chat), pusherAppsOf(config.pusher))
  const hub = await createHub(engine, channels, logger.child({ component: 'hub' }))

  const app = new App(appOptions)
  const closers: (() => void | Promise<void>)[] = []
  const demoTokenSecret = chatDemoTokenSecret(config)
  const context: ServeContext = {
    config, logger, app, engine, hub, registry, rpc: new RpcRegistry(),
    ...(demoTokenSecret === undefined ? {} : { demoTokenSecret }),
    onShutdown: (close) => closers.push(close),
  }
  for (const mount of mounts) await mount(context)

  await app.listen()
  const port = app.port
  const url = browsableUrl(config.host, port, config.tls !== undefined)
  logger.info({ url, port, engine: engine.name, maxConnections: app.maxConnections }, 'serving')

  return {
    context,
    url,
    port,
    async close(timeoutMs, drainDelayMs = 0) {
      await app.close({ timeoutMs, drainDelayMs })
      for (const close of closers.reverse()) await close()
      await hub.close()
      await engine.close()
    },
  }
}
