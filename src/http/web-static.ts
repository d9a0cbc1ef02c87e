/** Safe static file serving for `web/` (the chat page). */
import { createHash } from 'node:crypto'
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerResponse } from 'node:http'
import type { HttpHandler } from '../server/types.js'

/** The `web/` folder shipped with Sprocket (the chat page). */
const defaultWebRoot = fileURLToPath(new URL('../../web/', import.meta.url))

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * The page may load its own files and the client, and talk to this server over HTTP and
 * WebSocket (and fetch a token from the site's backend over https); nothing inline, so injected
 * markup could not run script even if it reached the DOM.
 */
const pagePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss: https:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export type WebStaticOptions = {
  /** Folder to serve; defaults to Sprocket's `web/`. */
  root?: string
  /** URL prefix the handler is mounted at; '' or '/' for the site root. */
  prefix?: string
}

type CachedFile = { body: Buffer; etag: string; mtimeMs: number; size: number }

/**
 * Serves static files from one folder: GET and HEAD only (405 otherwise), `/` → `index.html`,
 * content types by extension (unknown extensions are 404, so nothing is sniffed), ETag with
 * `Cache-Control: no-cache` (browsers revalidate and get 304 while a file is unchanged), and no
 * path can leave the folder: `..`, encoded separators, NUL bytes, dotfiles and symlinks pointing
 * outside are all 404.
 */
export function createWebStatic(options: WebStaticOptions = {}): HttpHandler {
  const root = resolve(options.root ?? defaultWebRoot)
  const prefix = (options.prefix ?? '').replace(/\/+$/, '')
  const cache = new Map<string, CachedFile>()
  let realRoot: string | undefined

  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      return void res.end('method not allowed\n')
    }
    const relative = relativePath(req.url ?? '/', prefix)
    const type = relative === undefined ? undefined : contentTypes[extname(relative).toLowerCase()]
    if (relative === undefined || type === undefined) return notFound(res)

    realRoot ??= await realpath(root).catch(() => root)
    const file = join(realRoot, relative)
    let real: string
    try {
      real = await realpath(file)
      if (!real.startsWith(realRoot + sep)) return notFound(res)
      const info = await stat(real)
      if (!info.isFile()) return notFound(res)
      let cached = cache.get(real)
      if (cached === undefined || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size) {
        const body = await readFile(real)
        cached = { body, mtimeMs: info.mtimeMs, size: info.size, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` }
        cache.set(real, cached)
      }
      const headers: Record<string, string | number> = {
        'content-type': type,
        etag: cached.etag,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      }
      if (type.startsWith('text/html')) headers['content-security-policy'] = pagePolicy
      if (req.headers['if-none-match'] === cached.etag) {
        res.writeHead(304, headers)
        return void res.end()
      }
      headers['content-length'] = cached.body.length
      res.writeHead(200, headers)
      res.end(req.method === 'HEAD' ? undefined : cached.body)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return notFound(res)
      throw error
    }
  }
}

/** The file path under the root a URL asks for, or undefined when it is not a safe one. */
function relativePath(url: string, prefix: string): string | undefined {
  const rawPath = url.split('?')[0]?.split('#')[0] ?? '/'
  if (prefix !== '' && rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) return undefined
  const below = rawPath.slice(prefix.length)
  if (/%2f|%5c|%00/i.test(below)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(below)
  } catch {
    return undefined
  }
  const path = decoded === '' || decoded.endsWith('/') ? `${decoded}index.html` : decoded
  const parts = path.split('/').filter((part) => part !== '')
  if (parts.some((part) => part === '..' || part.startsWith('.') || part.includes('\\') || part.includes('\0'))) return undefined
  return parts.length === 0 ? undefined : parts.join(sep)
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' })
  res.end('not found\n')
}
