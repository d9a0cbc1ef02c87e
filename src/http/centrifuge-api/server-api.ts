/** The Centrifugo-compatible server HTTP API (`POST /api/<method>`): key check, body, replies. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, type Registry } from 'prom-client'
import { apiKeyMatches, presentedApiKey } from '../../auth/api-key.js'
import { anonymousAllowed, hasTokenKey, type ClientAuthOptions } from '../../auth/client-auth-options.js'
import { PeerError } from '../../errors.js'
import { ErrorCode, errorCodeOf } from '../../protocol/centrifuge/index.js'
import { jsonNestsDeeperThan, maxJsonDepth } from '../../protocol/json-depth.js'
import { BodyTooLargeError, readBody } from '../../server/read-body.js'
import { sendJson } from '../../server/send-json.js'
import type { Logger } from '../../logger.js'
import type { HttpHandler, HttpMountable } from '../../server/types.js'
import { DEFAULT_API_MAX_BODY_BYTES } from './api-options.js'
import { isApiMethod, parseRequest } from './requests.js'
import type { NodeInfo } from '../../hub/node-registry.js'
import { ServerApiExecutor, type NodeStats, type ServerApiHub } from './server-api-executor.js'

/** Where the API is served: `POST /api/<method>`. */
const SERVER_API_PREFIX = '/api'

export type ServerApiOptions = {
  hub: ServerApiHub
  /** The shared API key; without one the API is disabled (404 with an explanation). */
  apiKey?: string | undefined
  /** Default 1 MiB. */
  maxBodyBytes?: number | undefined
  /** Most commands one `batch` may carry (default 1000). */
  maxBatchCommands?: number | undefined
  /** Reply bytes after which a `batch`'s remaining commands are refused unrun (default 4 MiB). */
  maxBatchReplyBytes?: number | undefined
  logger: Logger
  /** Live connection counts for `info`. */
  nodeStats?: () => NodeStats
  /** Every live node for `info` (a `NodeRegistry`'s `nodes()`); absent, `info` lists this node alone. */
  nodes?: () => NodeInfo[]
  /** Subscriber counts per channel over every node (a `ChannelSurvey`); absent, this node's only. */
  clusterChannels?: () => Promise<Map<string, number>>
  /** The `client` config section: used only to tell at mount whether the server runs in demo mode. */
  clientAuth?: ClientAuthOptions
  /** Where `sprocket_api_calls_total{method,result}` is registered; none: not counted. */
  registry?: Registry
}

/** Centrifugo's transport error mode: application errors as HTTP statuses. */
function transportStatus(code: number): number {
  switch (code) {
    case ErrorCode.unknownChannel:
    case ErrorCode.methodNotFound:
      return 404
    case ErrorCode.badRequest:
    case ErrorCode.notAvailable:
      return 400
    case ErrorCode.unrecoverablePosition:
      return 416
    case ErrorCode.unavailable:
      return 503
    default:
      return 500
  }
}

function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': 0, ...headers })
  res.end()
}

function errorBody(code: number, message: string): { error: { code: number; message: string } } {
  return { error: { code, message } }
}

/**
 * The HTTP side of the server API. Order of checks: API disabled → 404; bad or missing key → 401
 * (empty body); not POST → 405; unknown method → 404 (code 104); body over the limit → 413;
 * body not JSON → 400. Past that every answer is HTTP 200 with `{"result":…}` or
 * `{"error":{"code","message"}}` (batch: `{"replies":[…]}`), as Centrifugo answers.
 */
function createServerApiHandler(options: ServerApiOptions): HttpHandler {
  const onBug = (error: unknown, method: string) => options.logger.error({ err: error, method }, 'server API method failed')
  const calls = options.registry === undefined
    ? undefined
    : new Counter({
      name: 'sprocket_api_calls_total',
      help: 'Server API methods run (alone or in a batch), by method and result: ok, or the error code',
      labelNames: ['method', 'result'],
      registers: [options.registry],
    })
  const executor = new ServerApiExecutor({
    hub: options.hub,
    onBug,
    ...(calls === undefined ? {} : { onCall: (method: string, result: string) => calls.inc({ method, result }) }),
    maxBatchCommands: options.maxBatchCommands,
    maxBatchReplyBytes: options.maxBatchReplyBytes,
    ...(options.nodeStats ? { nodeStats: options.nodeStats } : {}),
    ...(options.nodes ? { nodes: options.nodes } : {}),
    ...(options.clusterChannels ? { clusterChannels: options.clusterChannels } : {}),
  })
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_API_MAX_BODY_BYTES
  const apiKey = options.apiKey

  return async (req: IncomingMessage, res: ServerResponse) => {
    if (apiKey === undefined || apiKey === '') {
      sendJson(res, 404, errorBody(ErrorCode.notAvailable, 'server API disabled: configure api.key (or SPROCKET_API_KEY) to enable it'))
      return
    }
    if (!apiKeyMatches(presentedApiKey(req.headers, req.url ?? ''), apiKey)) {
      sendEmpty(res, 401)
      return
    }
    if (req.method !== 'POST') {
      sendEmpty(res, 405, { allow: 'POST' })
      return
    }
    const url = req.url ?? '/'
    const query = url.indexOf('?')
    const path = query === -1 ? url : url.slice(0, query)
    const method = path.startsWith(`${SERVER_API_PREFIX}/`) ? path.slice(SERVER_API_PREFIX.length + 1) : ''
    if (!isApiMethod(method)) {
      sendJson(res, 404, errorBody(ErrorCode.methodNotFound, `method not found: use POST ${SERVER_API_PREFIX}/<method>`))
      return
    }

    let body: unknown
    try {
      const raw = await readBody(req, maxBodyBytes)
      const text = raw.toString('utf8')
      if (jsonNestsDeeperThan(text)) {
        sendJson(res, 400, errorBody(ErrorCode.badRequest, `request body is nested deeper than ${maxJsonDepth} levels`))
        return
      }
      body = text.length === 0 ? {} : JSON.parse(text)
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, errorBody(ErrorCode.limitExceeded, `request body exceeds ${maxBodyBytes} bytes`), { connection: 'close' })
      } else if (error instanceof SyntaxError) {
        sendJson(res, 400, errorBody(ErrorCode.badRequest, `request body is not valid JSON: ${error.message}`))
      } else if (!res.headersSent && !req.destroyed) {
        sendEmpty(res, 500)
      }
      return
    }

    if (method === 'batch') {
      sendJson(res, 200, await runBatch(executor, body, onBug))
      return
    }

    const reply = await executor.reply(method, body)
    if ('error' in reply && String(req.headers['x-centrifugo-error-mode']).toLowerCase() === 'transport') {
      sendJson(res, transportStatus(reply.error.code), reply.error)
      return
    }
    sendJson(res, 200, reply)
  }
}

async function runBatch(executor: ServerApiExecutor, body: unknown, onBug: (error: unknown, method: string) => void): Promise<unknown> {
  try {
    return await executor.batch(parseRequest('batch', body))
  } catch (error) {
    if (error instanceof PeerError) return errorBody(errorCodeOf(error.reason), error.message)
    onBug(error, 'batch')
    return errorBody(ErrorCode.internal, 'internal server error')
  }
}

/**
 * Mounts the server API at `/api/*` and says at startup how the server is secured: API disabled
 * without a key, and demo mode (anonymous clients, no tokens) when neither an API key nor a
 * token key is configured.
 */
export function mountServerApi(app: HttpMountable, options: ServerApiOptions): void {
  app.mount(`${SERVER_API_PREFIX}/*`, createServerApiHandler(options))
  const { logger, clientAuth } = options
  const hasApiKey = options.apiKey !== undefined && options.apiKey !== ''
  const hasClientKey = clientAuth !== undefined && hasTokenKey(clientAuth)
  if (!hasApiKey && !hasClientKey) {
    logger.warn(
      {},
      'DEMO MODE: no api.key and no client token key configured: the server API is disabled and anyone may connect without a token. Set SPROCKET_API_KEY and SPROCKET_TOKEN_SECRET (or the config file) before exposing this server.',
    )
    return
  }
  if (hasApiKey) logger.info({ path: `${SERVER_API_PREFIX}/<method>` }, 'server API enabled')
  else logger.warn({}, 'server API disabled: no api.key configured (set SPROCKET_API_KEY to enable POST /api/<method>)')
  if (clientAuth !== undefined && !hasClientKey && anonymousAllowed(clientAuth)) {
    logger.warn({}, 'no client token key configured: anyone may connect without a token (set SPROCKET_TOKEN_SECRET to require tokens)')
  }
}
