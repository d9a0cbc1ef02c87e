/** Checks a WebSocket upgrade request and answers refusals over HTTP, before the upgrade. */
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { RefusalReason } from './metrics.js'

/** An HTTP answer given instead of the upgrade. */
export type Refusal = {
  status: number
  reason: RefusalReason
  headers?: Record<string, string>
}

const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/

/**
 * `Sec-WebSocket-Extensions` (RFC 6455 §9.1, RFC 7230 list syntax): extensions separated by
 * commas, each a token with `;`-separated parameters, each a token with an optional `=` token or
 * quoted string. ws checks the header only when compression is on; this checks it always.
 */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
const PARAM = `${TOKEN}(?:[ \\t]*=[ \\t]*(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))?`
const EXTENSION = `${TOKEN}(?:[ \\t]*;[ \\t]*${PARAM})*`
const EXTENSIONS_PATTERN = new RegExp(`^[ \\t]*${EXTENSION}(?:[ \\t]*,[ \\t]*${EXTENSION})*[ \\t]*$`)

/**
 * Checks the RFC 6455 §4.2.1 handshake fields before ws sees the request, so every refusal gets
 * the right status and is counted: a bad method is 405, a missing or bad Upgrade or key is 400,
 * an unsupported version is 426 with the version we speak (§4.2.2), a malformed extension list is
 * 400 whether compression is on or not.
 */
export function checkHandshake(req: IncomingMessage): Refusal | undefined {
  if (req.method !== 'GET') return { status: 405, reason: 'bad_method', headers: { Allow: 'GET' } }
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return { status: 400, reason: 'bad_upgrade' }
  const key = req.headers['sec-websocket-key']
  if (key === undefined || !KEY_PATTERN.test(key)) return { status: 400, reason: 'bad_key' }
  const extensions = req.headers['sec-websocket-extensions']
  if (extensions !== undefined && !EXTENSIONS_PATTERN.test(extensions)) return { status: 400, reason: 'bad_negotiation' }
  if (req.headers['sec-websocket-version'] !== '13') {
    return { status: 426, reason: 'bad_version', headers: { 'Sec-WebSocket-Version': '13' } }
  }
  return undefined
}

/** Answers on the raw socket (there is no ServerResponse on the upgrade path) and closes it. */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = `${STATUS_CODES[refusal.status] ?? 'Error'}\n`
  const headers: Record<string, string> = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...refusal.headers,
  }
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`)
}
