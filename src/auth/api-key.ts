/** The server API's shared-key check: where a key is presented, and a constant-time comparison. */
import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented API key with the configured one in constant time: both are hashed first,
 * so neither the content nor the length of the real key leaks through timing.
 */
export function apiKeyMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === '') return false
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

type Headers = Readonly<Record<string, string | string[] | undefined>>

function firstHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * The API key a request presents, looked up in Centrifugo's order: `X-API-Key` header, then
 * `Authorization: apikey <key>` (scheme case-insensitive), then the `api_key` query parameter.
 */
export function presentedApiKey(headers: Headers, url: string): string | undefined {
  const header = firstHeader(headers, 'x-api-key')
  if (header !== undefined && header !== '') return header
  const authorization = firstHeader(headers, 'authorization')
  if (authorization !== undefined) {
    const match = /^apikey\s+(.+)$/i.exec(authorization.trim())
    if (match?.[1] !== undefined) return match[1]
  }
  const query = url.indexOf('?')
  if (query >= 0) {
    const value = new URLSearchParams(url.slice(query + 1)).get('api_key')
    if (value !== null && value !== '') return value
  }
  return undefined
}
