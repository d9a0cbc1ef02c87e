/**
 * A Sprocket server with the Pusher protocol (and the native protocol, for cross-protocol tests)
 * on port 0, an auth endpoint like Laravel's `/broadcasting/auth` signing with the real `pusher`
 * SDK, and real pusher-js clients.
 */
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import type * as PusherJs from 'pusher-js'
import PusherServer from 'pusher'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { Hub } from '../../../src/hub/hub.js'
import { silentLogger } from '../../../src/logger.js'
import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import { mountPusher, PusherWebhooks, type WebhookMetrics, pusherAppsOf, parsePusherOptions, withPusherNamespaces, type PusherComponent, type PusherConfigInput } from '../../../src/components/pusher/index.js'
import { PusherApps } from '../../../src/protocol/pusher/index.js'
import { App } from '../../../src/server/app.js'
import { mountServerApi } from '../../../src/http/centrifuge-api/server-api.js'
import { mountPusherApi } from '../../../src/http/pusher-api/pusher-api.js'

/** pusher-js's Node build is CommonJS exporting the constructor itself. */
const Pusher = createRequire(import.meta.url)('pusher-js') as new (key: string, options: PusherJs.Options) => PusherJs.default
export type Pusher = PusherJs.default

export const app1 = { id: 'app-1', key: 'key-1', secret: 'secret-1', enableClientMessages: true } as const
/** The native server API's key (`/api/publish`), for cross-protocol tests. */
export const apiKey = 'native-api-key'
export const app2 = { id: 'app-2', key: 'key-2', secret: 'secret-2' } as const

export type PusherTestServer = {
  app: App
  hub: Hub
  component: PusherComponent
  apps: PusherApps
  webhookCounts: WebhookCounts
  port: number
  close(): Promise<void>
}

/** Webhook delivery outcomes of a test server. */
export type WebhookCounts = { delivered: number; failed: number; dropped: number }

export async function startPusherServer(config: PusherConfigInput = { apps: [app1, app2] }, appOptions: { maxBufferedBytes?: number } = {}): Promise<PusherTestServer> {
  const counts: WebhookCounts = { delivered: 0, failed: 0, dropped: 0 }
  const metrics: WebhookMetrics = {
    delivered: (n) => (counts.delivered += n),
    failed: (n) => (counts.failed += n),
    dropped: (n) => (counts.dropped += n),
  }
  const parsed = parsePusherOptions(config)
  const apps = new PusherApps(pusherAppsOf(parsed))
  const engine = createMemoryEngine()
  const hub = new Hub(engine, withPusherNamespaces({}, [...apps.all()]), silentLogger)
  await hub.start()
  const app = new App({ port: 0, keepaliveIntervalMs: 0, ...appOptions })
  const webhooks = new PusherWebhooks(hub, apps, parsed.webhookDelivery, silentLogger, metrics)
  const component = mountPusher(app, {
    webhooks,
    hub,
    apps,
    path: parsed.path,
    activityTimeoutSeconds: parsed.activityTimeoutSeconds,
    pongTimeoutMs: parsed.pongTimeoutMs,
    maxMessagesPerSecond: parsed.maxMessagesPerSecond,
    messageBurst: parsed.messageBurst,
    maxMessageBytes: parsed.maxMessageBytes,
    allowedOrigins: ['*'],
  })
  mountPusherApi(app, { hub, apps, path: parsed.path, maxBodyBytes: parsed.maxBodyBytes, logger: silentLogger })
  mountServerApi(app, { hub, apiKey, logger: silentLogger })
  const centrifuge = mountCentrifuge(app, { hub, allowedOrigins: ['*'], options: { allowAnonymous: true } })
  await app.listen()
  return {
    app,
    hub,
    component,
    apps,
    webhookCounts: counts,
    port: app.port,
    async close() {
      component.close()
      webhooks.close()
      centrifuge.close()
      await app.close({ timeoutMs: 1000 })
      await hub.close()
      await engine.close()
    },
  }
}

/** The real Node server SDK pointed at the test server. */
export function sdk(port: number, credentials: { id: string; key: string; secret: string } = app1): PusherServer {
  return new PusherServer({ appId: credentials.id, key: credentials.key, secret: credentials.secret, host: '127.0.0.1', port: String(port), useTLS: false })
}

export type AuthEndpoint = { url: string; close(): Promise<void> }

/**
 * Laravel's `/broadcasting/auth`, in ten lines: form-encoded `socket_id` and `channel_name` in,
 * `authorizeChannel` out. `user` decides the presence member; `deny` makes it sign with a wrong secret.
 */
export async function authEndpoint(signer: PusherServer, user: (channel: string) => { user_id: string; user_info?: Record<string, unknown> } = () => ({ user_id: 'alice', user_info: { name: 'Alice' } })): Promise<AuthEndpoint> {
  const server: HttpServer = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const form = new URLSearchParams(body)
      const socketId = form.get('socket_id') ?? ''
      const channel = form.get('channel_name') ?? ''
      const auth = signer.authorizeChannel(socketId, channel, channel.startsWith('presence-') ? user(channel) : undefined)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(auth))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/broadcasting/auth`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export type ClientOptions = { key?: string; authEndpoint?: string; activityTimeout?: number; pongTimeout?: number; wsPath?: string }

/** A real pusher-js client (its Node build brings its own WebSocket). Call `disconnect()` when done. */
export function pusherClient(port: number, options: ClientOptions = {}): Pusher {
  return new Pusher(options.key ?? app1.key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    wssPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    ...(options.wsPath === undefined ? {} : { wsPath: options.wsPath }),
    ...(options.activityTimeout === undefined ? {} : { activityTimeout: options.activityTimeout }),
    ...(options.pongTimeout === undefined ? {} : { pongTimeout: options.pongTimeout }),
    ...(options.authEndpoint === undefined ? {} : { channelAuthorization: { endpoint: options.authEndpoint, transport: 'ajax' } }),
  })
}

/** Resolves once the client is connected. */
export function connected(client: Pusher, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out connecting')), timeoutMs)
    client.connection.bind('connected', () => {
      clearTimeout(timer)
      resolve(client.connection.socket_id)
    })
  })
}

type Bindable = { bind(event: string, callback: (data: any, metadata?: any) => void): unknown; unbind(event: string, callback?: (data: any, metadata?: any) => void): unknown }

/** The next `event` on a channel or connection, with its metadata. */
export function nextEvent<T = any>(target: Bindable, event: string, timeoutMs = 3000): Promise<{ data: T; metadata: any }> {
  return new Promise((resolve, reject) => {
    const callback = (data: T, metadata?: unknown) => {
      clearTimeout(timer)
      target.unbind(event, callback)
      resolve({ data, metadata })
    }
    const timer = setTimeout(() => {
      target.unbind(event, callback)
      reject(new Error(`timed out waiting for ${event}`))
    }, timeoutMs)
    target.bind(event, callback)
  })
}

/** Collects every `event` on a channel or connection. */
export function collectEvents<T = any>(target: Bindable, event: string): T[] {
  const items: T[] = []
  target.bind(event, (data: T) => items.push(data))
  return items
}

export { sleep, until } from '../../wait.js'

/** `sdk.post`: the SDK JSON-encodes `body` itself, though its types say string. */
export function restPost(rest: PusherServer, path: string, body: object): Promise<unknown> {
  return rest.post({ path, body: body as unknown as string })
}
