/** The chat's plain HTTP routes: the page's start-up config and demo sign-in. */
import { randomBytes } from 'node:crypto'
import { signConnectionToken } from '../../auth/index.js'
import type { Logger } from '../../logger.js'
import { BodyTooLargeError, readBody, RequestAbortedError } from '../../server/read-body.js'
import { sendJson } from '../../server/send-json.js'
import type { HttpHandler } from '../../server/types.js'
import { displayName, profileColors } from './chat-input.js'
import type { ChatOptions } from './chat-options.js'
import type { ChatService } from './chat-service.js'
import { SlidingWindowLimit } from './sliding-window-limit.js'

export type ChatHttpOptions = {
  options: Pick<ChatOptions, 'demoSignIn' | 'tokenUrl' | 'demoTokenTtlSeconds' | 'maxMessageBytes' | 'maxSignInsPerHour'>
  service: ChatService
  /** HMAC secret demo tokens are signed with; demo sign-in is on only with `demoSignIn: true` and a secret. */
  tokenSecret: string | undefined
  /** `aud` and `iss` of demo tokens: the `client` section's, so the server's verifier accepts them. */
  tokenClaims?: { audience?: string | undefined; issuer?: string | undefined }
  /** Where a sign-in whose client went away mid-body is noted (at debug: the peer's doing). */
  logger?: Partial<Pick<Logger, 'debug'>> | undefined
}

const maxBodyBytes = 4096

/**
 * The chat's HTTP routes, under `/chat/`:
 * - `GET /chat/config` → `{ demoSignIn, tokenUrl, maxMessageBytes }`, what the page needs to start;
 * - `POST /chat/signin {name}` (demo sign-in only) → `{ token, profile }`: a new user id, its
 *   stored profile and a signed connection token. 404 when demo sign-in is off, 400 for a bad
 *   name, 413 for a large body, 415 without JSON, 429 past `maxSignInsPerHour` per address.
 */
export function createChatHttpHandler({ options, service, tokenSecret, tokenClaims = {}, logger }: ChatHttpOptions): HttpHandler {
  const signIns = new SlidingWindowLimit(options.maxSignInsPerHour, 3600_000)
  const demoSignIn = options.demoSignIn === true && tokenSecret !== undefined
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/chat/config' && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendJson(res, 200, { demoSignIn, tokenUrl: options.tokenUrl ?? null, maxMessageBytes: options.maxMessageBytes, colors: profileColors })
    }
    if (path === '/chat/signin') {
      if (!demoSignIn || tokenSecret === undefined) return sendJson(res, 404, { error: 'demo sign-in is off' })
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { allow: 'POST' })
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { error: 'send JSON' })
      if (!signIns.take(req.socket.remoteAddress ?? '')) return sendJson(res, 429, { error: 'too many sign-ins, try later' })
      let body: string
      try {
        body = (await readBody(req, maxBodyBytes)).toString('utf8')
      } catch (error) {
        if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: 'body too large' }, { connection: 'close' })
        if (!(error instanceof RequestAbortedError)) throw error
        logger?.debug?.({ err: error, remoteAddress: req.socket.remoteAddress }, 'chat sign-in: the client went away before sending its body')
        return
      }
      const name = displayName.safeParse(parseName(body))
      if (!name.success) return sendJson(res, 400, { error: 'name must be 1-40 characters' })
      const userId = `u${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`
      const profile = service.ensureProfile(userId, { name: name.data })
      const token = await signConnectionToken({
        secret: tokenSecret,
        sub: userId,
        ttlSeconds: options.demoTokenTtlSeconds,
        info: { name: name.data },
        ...(tokenClaims.audience !== undefined ? { audience: tokenClaims.audience } : {}),
        ...(tokenClaims.issuer !== undefined ? { issuer: tokenClaims.issuer } : {}),
      })
      return sendJson(res, 200, { token, profile })
    }
    return sendJson(res, 404, { error: 'not found' })
  }
}

function parseName(body: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body)
    return typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined
  } catch {
    return undefined
  }
}
