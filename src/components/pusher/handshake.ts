/**
 * The checks of a new Pusher connection, from its URL (`[prefix]/app/{key}?protocol=7&…`):
 * path, protocol version, app key, app enabled. A refusal names the `pusher:error` code the
 * connection is then closed with.
 */
import { PusherCode, type PusherApp, type PusherApps } from '../../protocol/pusher/index.js'

export type HandshakeResult = { ok: true; app: PusherApp } | { ok: false; code: PusherCode; message: string }

/** Protocol versions accepted (pusher-js sends 7). */
const supportedProtocols = new Set([5, 6, 7])

export function checkHandshake(url: string, pathPrefix: string, apps: PusherApps): HandshakeResult {
  let parsed: URL
  try {
    parsed = new URL(url, 'http://localhost')
  } catch {
    return { ok: false, code: PusherCode.pathNotFound, message: 'invalid path' }
  }
  const base = `${pathPrefix}/app/`
  if (!parsed.pathname.startsWith(base)) return { ok: false, code: PusherCode.pathNotFound, message: 'path not found; connect to /app/{key}' }
  let key: string
  try {
    key = decodeURIComponent(parsed.pathname.slice(base.length))
  } catch {
    return { ok: false, code: PusherCode.appNotFound, message: 'malformed app key' }
  }
  const protocol = parsed.searchParams.get('protocol')
  if (protocol === null) return { ok: false, code: PusherCode.noProtocol, message: 'no protocol version supplied' }
  if (!/^\d+$/.test(protocol)) return { ok: false, code: PusherCode.invalidVersion, message: 'invalid version string format' }
  if (!supportedProtocols.has(Number(protocol))) return { ok: false, code: PusherCode.unsupportedProtocol, message: `unsupported protocol version ${protocol}` }
  const app = apps.byKey(key)
  if (app === undefined) return { ok: false, code: PusherCode.appNotFound, message: `app key ${key.slice(0, 64)} does not exist` }
  if (!app.enabled) return { ok: false, code: PusherCode.appDisabled, message: 'app is disabled' }
  return { ok: true, app }
}
