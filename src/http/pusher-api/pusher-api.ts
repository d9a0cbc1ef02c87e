/**
 * The Pusher REST API (`[path]/apps/{id}/…`), what pusher-php-server, Laravel's `pusher` and
 * `reverb` drivers and the Node SDK call. Order of checks: unknown route → 404; unknown app →
 * 404; wrong method → 405; body over `maxBodyBytes` → 413; signature (key, ±600 s timestamp,
 * body_md5, HMAC) → 401; disabled app → 403; then the route's own checks (400, 413). Errors
 * answer `{"error": message}`; see docs/pusher.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorReason, PeerError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import type { PusherApp, PusherApps } from '../../protocol/pusher/index.js'
import { BodyTooLargeError, readBody, RequestAbortedError } from '../../server/read-body.js'
import { pathOf } from '../../server/router.js'
import { sendJson } from '../../server/send-json.js'
import type { HttpHandler, HttpMountable } from '../../server/types.js'
import { ApiRefusal, parseBatchBody, parseEventBody, parseInfo } from './event-requests.js'
import { PusherApiActions, type PusherApiHub } from './pusher-api-actions.js'
import { checkRequestAuth } from './request-auth.js'

export type PusherApiOptions = {
  hub: PusherApiHub
  apps: PusherApps
  /** Mount prefix before `/apps/` (stripped before signature checks); default ''. */
  path?: string
  /** Largest request body, in bytes. */
  maxBodyBytes: number
  logger: Logger
}

type Route = { method: 'GET' | 'POST'; pattern: RegExp; run: (ctx: RouteContext) => Promise<unknown> }
type RouteContext = { app: PusherApp; params: Record<string, string>; body: Uint8Array; match: RegExpExecArray; actions: PusherApiActions }

const segment = '([^/]+)'

const routes: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/events$/,
    run: async ({ app, body, actions }) => {
      const channels = await actions.trigger(app, parseEventBody(app, body))
      return channels === undefined ? {} : { channels }
    },
  },
  {
    method: 'POST',
    pattern: /^\/batch_events$/,
    run: async ({ app, body, actions }) => {
      const events = parseBatchBody(app, body)
      const results = []
      for (const event of events) results.push(await actions.trigger(app, event))
      if (events.every((event) => event.info.length === 0)) return {}
      return { batch: results.map((channels, i) => channels?.[events[i]?.channels[0]?.name ?? ''] ?? {}) }
    },
  },
  {
    method: 'GET',
    pattern: /^\/channels$/,
    run: async ({ app, params, actions }) => ({ channels: await actions.channels(app, params.filter_by_prefix, parseInfo(params.info)) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${segment}$`),
    run: ({ app, params, match, actions }) => actions.channel(app, decode(match[1]), parseInfo(params.info)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${segment}/users$`),
    run: ({ app, match, actions }) => actions.users(app, decode(match[1])),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/users/${segment}/terminate_connections$`),
    run: async ({ app, match, actions }) => {
      await actions.terminate(app, decode(match[1]))
      return {}
    },
  },
]

function decode(text: string | undefined): string {
  try {
    return decodeURIComponent(text ?? '')
  } catch {
    throw new ApiRefusal(400, 'malformed path')
  }
}

function queryOf(url: string | undefined): Record<string, string> {
  const query = url === undefined ? -1 : url.indexOf('?')
  const params: Record<string, string> = {}
  if (url === undefined || query === -1) return params
  for (const [key, value] of new URLSearchParams(url.slice(query + 1))) params[key] = value
  return params
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message }, headers)
}

/** Builds the handler; mount it at `[path]/apps/*`. */
export function createPusherApiHandler(options: PusherApiOptions): HttpHandler {
  const actions = new PusherApiActions(options.hub)
  const base = `${options.path ?? ''}/apps/`

  return async (req: IncomingMessage, res: ServerResponse) => {
    const fullPath = pathOf(req.url)
    const rest = fullPath.startsWith(base) ? fullPath.slice(base.length) : ''
    const slash = rest.indexOf('/')
    const appId = slash === -1 ? rest : rest.slice(0, slash)
    const subPath = slash === -1 ? '' : rest.slice(slash)
    const candidates = routes.map((route) => ({ route, match: route.pattern.exec(subPath) })).filter((entry) => entry.match !== null)
    if (candidates.length === 0) return refuse(res, 404, 'not found')
    const app = options.apps.byId(decode(appId))
    if (app === undefined) return refuse(res, 404, 'unknown app')
    const found = candidates.find((entry) => entry.route.method === req.method)
    if (found === undefined || found.match === null) {
      return refuse(res, 405, 'method not allowed', { allow: candidates.map((entry) => entry.route.method).join(', ') })
    }
    let body: Uint8Array = new Uint8Array()
    try {
      if (req.method === 'POST') body = await readBody(req, options.maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLargeError) return refuse(res, 413, `request body is larger than ${options.maxBodyBytes} bytes`, { connection: 'close' })
      if (error instanceof RequestAbortedError) return
      throw error
    }
    const params = queryOf(req.url)
    const auth = checkRequestAuth(app, req.method ?? '', `/apps/${appId}${subPath}`, params, body, Date.now())
    if (!auth.ok) return refuse(res, auth.status, auth.message)
    if (!app.enabled) return refuse(res, 403, 'app is disabled')
    try {
      sendJson(res, 200, await found.route.run({ app, params, body, match: found.match, actions }))
    } catch (error) {
      if (error instanceof ApiRefusal) return refuse(res, error.status, error.message)
      if (error instanceof PeerError) return refuse(res, restStatusOf(error.reason), error.message)
      options.logger.error({ err: error, path: fullPath }, 'Pusher REST API call failed')
      return refuse(res, 500, 'internal error')
    }
  }
}

/** Mounts the REST API on `[path]/apps/*`. */
export function mountPusherApi(app: HttpMountable, options: PusherApiOptions): void {
  app.mount(`${options.path ?? ''}/apps/*`, createPusherApiHandler(options))
}

/** The REST status of a neutral refusal: the backend unreachable is 503, a limit 413, the rest the request's fault. */
function restStatusOf(reason: ErrorReason): number {
  if (reason === ErrorReason.unavailable) return 503
  if (reason === ErrorReason.limitExceeded) return 413
  return 400
}
