import { Centrifuge, type Options } from 'centrifuge'
import { SignJWT } from 'jose'
import WebSocket from 'ws'
import { createTokenVerifier } from '../../../src/auth/index.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import type { Engine } from '../../../src/engine/types.js'
import { Hub } from '../../../src/hub/hub.js'
import { silentLogger } from '../../../src/logger.js'
import type { ChannelsOptionsInput } from '../../../src/hub/options.js'
import { CentrifugeComponent } from '../../../src/components/centrifuge/centrifuge-component.js'
import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import type { CentrifugeOptions } from '../../../src/components/centrifuge/options.js'
import { RpcRegistry } from '../../../src/components/centrifuge/rpc-registry.js'
import { App } from '../../../src/server/app.js'

export const secret = 'test-secret-for-the-native-protocol'

const open = {
  historySize: 100,
  historyTtlMs: 300_000,
  presence: true,
  joinLeave: true,
  allowPublish: 'subscribers',
  anonymousAccess: true,
} as const

/** Namespaces the tests use: the default one and `chat:` are open; `news:` is read-only for clients; `vip:` needs a token. */
export const testChannels: ChannelsOptionsInput = {
  default: open,
  namespaces: {
    chat: open,
    news: { ...open, allowPublish: 'none' },
    vip: { ...open, allowSubscribe: false },
    small: { ...open, historySize: 2 },
  },
}

export type Server = {
  app: App
  hub: Hub
  engine: Engine
  component: CentrifugeComponent
  rpc: RpcRegistry
  url: string
  close(): Promise<void>
}

export type ServerOptions = {
  channels?: ChannelsOptionsInput
  options?: CentrifugeOptions
  engine?: Engine
  /** Without it, tokens are verified with `secret`. */
  noAuth?: boolean
  /** Default 0 (a free port). */
  port?: number
  /** Per-connection send queue limit of the App (slow-consumer threshold). */
  maxBufferedBytes?: number
}

export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const engine = options.engine ?? createMemoryEngine()
  const hub = new Hub(engine, options.channels ?? testChannels, silentLogger)
  await hub.start()
  const app = new App({
    port: options.port ?? 0,
    keepaliveIntervalMs: 0,
    ...(options.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.maxBufferedBytes }),
  })
  const rpc = new RpcRegistry()
  const component = mountCentrifuge(app, {
    hub,
    rpc,
    allowedOrigins: ['*'],
    ...(options.noAuth ? {} : { auth: createTokenVerifier({ tokenSecret: secret }) }),
    ...(options.options === undefined ? {} : { options: options.options }),
  })
  await app.listen()
  return {
    app,
    hub,
    engine,
    component,
    rpc,
    url: `ws://127.0.0.1:${app.port}/connection/websocket`,
    async close() {
      component.close()
      await app.close({ timeoutMs: 1000 })
      await hub.close()
      await engine.close()
    },
  }
}

/** A real centrifuge-js client with fast reconnects. Call `disconnect()` when done. */
export function client(url: string, options: Partial<Options> = {}): Centrifuge {
  return new Centrifuge(url, { websocket: WebSocket, minReconnectDelay: 50, maxReconnectDelay: 200, timeout: 3000, ...options })
}

/** Mints an HS256 connection token. `ttlSeconds` may be negative (already expired). */
export async function connectionToken(sub: string, claims: Record<string, unknown> = {}, ttlSeconds?: number): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
  if (ttlSeconds !== undefined) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
  return jwt.sign(new TextEncoder().encode(secret))
}

export async function subscriptionToken(sub: string, channel: string, claims: Record<string, unknown> = {}, ttlSeconds?: number): Promise<string> {
  return connectionToken(sub, { channel, ...claims }, ttlSeconds)
}

type Emitter = { once(event: string, listener: (ctx: never) => void): unknown; off(event: string, listener: (ctx: never) => void): unknown }

/** Resolves with the next `event` of an emitter (client or subscription), or rejects after `timeoutMs`. */
export function next<T = any>(emitter: Emitter, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (ctx: never) => {
      clearTimeout(timer)
      resolve(ctx as T)
    }
    const timer = setTimeout(() => {
      emitter.off(event, listener)
      reject(new Error(`timed out waiting for ${event}`))
    }, timeoutMs)
    emitter.once(event, listener)
  })
}

/** Collects the `event`s of an emitter into an array. */
export function collect<T = any>(emitter: { on(event: string, listener: (ctx: never) => void): unknown }, event: string): T[] {
  const items: T[] = []
  emitter.on(event, (ctx: never) => items.push(ctx as T))
  return items
}

export { sleep, until } from '../../wait.js'
