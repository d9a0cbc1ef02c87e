import { pino } from 'pino'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import type { Engine } from '../../../src/engine/types.js'
import { createHub, type Hub } from '../../../src/hub/hub.js'
import type { HubEvent, Subscriber } from '../../../src/hub/types.js'
import { mountServerApi, type ServerApiOptions } from '../../../src/http/centrifuge-api/server-api.js'
import { App } from '../../../src/server/app.js'

export const API_KEY = 'test-api-key-0123456789'

/** Namespaces the API tests use: `chat` keeps history and presence, `plain` keeps neither. */
export const channelsConfig = {
  namespaces: {
    chat: { historySize: 100, historyTtlMs: 60_000, presence: true },
    plain: {},
  },
}

export type ApiServer = {
  app: App
  hub: Hub
  engine: Engine
  url: string
  /** POSTs `body` (JSON-encoded unless a string) to `/api/<method>` with the key. */
  call(method: string, body?: unknown, init?: { key?: string | null; headers?: Record<string, string>; httpMethod?: string; query?: string }): Promise<Response>
  /** `call` and parse the JSON answer; asserts nothing. */
  json(method: string, body?: unknown): Promise<any>
  close(): Promise<void>
}

export async function startApiServer(options: Partial<Omit<ServerApiOptions, 'hub'>> = { apiKey: API_KEY }): Promise<ApiServer> {
  const engine = createMemoryEngine()
  const hub = await createHub(engine, channelsConfig, pino({ level: 'silent' }))
  const app = new App({ port: 0, host: '127.0.0.1', keepaliveIntervalMs: 0 })
  mountServerApi(app, { hub, logger: pino({ level: 'silent' }), nodeStats: () => ({ numClients: app.connectionCount, numUsers: 0 }), ...options })
  const address = await app.listen()
  const url = `http://127.0.0.1:${address.port}`
  const call: ApiServer['call'] = (method, body = {}, init = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers }
    const key = init.key === undefined ? API_KEY : init.key
    if (key !== null) headers['x-api-key'] = key
    return fetch(`${url}/api/${method}${init.query ?? ''}`, {
      method: init.httpMethod ?? 'POST',
      headers,
      ...(init.httpMethod === 'GET' || init.httpMethod === 'HEAD' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  }
  return {
    app,
    hub,
    engine,
    url,
    call,
    async json(method, body) {
      const res = await call(method, body)
      return res.json()
    },
    async close() {
      await app.close({ timeoutMs: 1000 })
      await hub.close()
      await engine.close()
    },
  }
}

const formatRegistered = new WeakSet<Hub>()

/** A hub subscriber that records what it receives. */
export async function subscribeRecorder(hub: Hub, channel: string, user = 'u1', client = `c-${Math.random().toString(36).slice(2)}`) {
  if (!formatRegistered.has(hub)) {
    hub.registerFormat('test', { encode: (event: HubEvent) => event })
    formatRegistered.add(hub)
  }
  const events: HubEvent[] = []
  const waiters: Array<() => void> = []
  const subscriber: Subscriber = {
    clientId: client,
    userId: user,
    format: 'test',
    deliver(_frame, event) {
      events.push(event)
      for (const wake of waiters.splice(0)) wake()
    },
  }
  const result = await hub.subscribe(subscriber, channel, { info: { user, client } })
  result.activate()
  return {
    subscriber,
    events,
    /** Resolves once `count` events have arrived (or rejects after `timeoutMs`). */
    async waitFor(count: number, timeoutMs = 2000): Promise<HubEvent[]> {
      const deadline = Date.now() + timeoutMs
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${events.length} of ${count} events arrived`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
      return events
    },
  }
}
