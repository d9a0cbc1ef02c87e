/** The one JSON answer every plain HTTP route writes. */
import type { ServerResponse } from 'node:http'

/**
 * Answers a plain HTTP request with a JSON body: the one way every JSON-answering route (health,
 * the server API, the chat's routes) writes its reply, so they all carry the same headers.
 * Never cached (`no-store`): every answer describes the server's state at that moment.
 * `headers` add to (or override) the defaults, e.g. `allow` on a 405.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}
