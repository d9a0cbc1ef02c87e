/** Serves the installed centrifuge-js browser bundle, so pages need no build step or CDN. */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { HttpHandler, HttpMountable } from '../server/types.js'

/** Where the browser build of centrifuge-js is served. */
const CLIENT_SCRIPT_PATH = '/client/centrifuge.js'

type StaticFile = { body: Buffer; etag: string; contentType: string }

/**
 * The browser bundle (`dist/centrifuge.js`, which sets `globalThis.Centrifuge`) of the installed
 * `centrifuge` package. The package's `exports` hide `dist/`, so it is found next to the entry
 * point `require.resolve` gives.
 */
function centrifugeBrowserBundlePath(): string {
  const entry = createRequire(import.meta.url).resolve('centrifuge')
  return join(dirname(entry), '..', 'dist', 'centrifuge.js')
}

function load(path: string, contentType: string): StaticFile {
  const body = readFileSync(path)
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  return { body, etag, contentType }
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((candidate) => {
    const tag = candidate.trim()
    return tag === '*' || tag === etag || tag === `W/${etag}`
  })
}

/** Serves one in-memory file with an ETag: GET/HEAD only, 304 on a matching `If-None-Match`. */
function serveFile(file: StaticFile): HttpHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 })
      res.end()
      return
    }
    const headers = {
      etag: file.etag,
      // Unversioned URL: browsers may reuse it for an hour, then revalidate (cheap 304).
      'cache-control': 'public, max-age=3600',
    }
    if (etagMatches(req.headers['if-none-match'], file.etag)) {
      res.writeHead(304, headers)
      res.end()
      return
    }
    res.writeHead(200, { ...headers, 'content-type': file.contentType, 'content-length': file.body.length })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }
}

/**
 * Mounts `/client/centrifuge.js` (and its source map), so pages can load the client with
 * `<script src="/client/centrifuge.js">` and use `new Centrifuge(url, options)`. The files are
 * read once, here; a missing `centrifuge` package fails at startup, not per request.
 */
export function mountClientScript(app: HttpMountable): void {
  const path = centrifugeBrowserBundlePath()
  app.mount(CLIENT_SCRIPT_PATH, serveFile(load(path, 'application/javascript; charset=utf-8')))
  app.mount(`${CLIENT_SCRIPT_PATH}.map`, serveFile(load(`${path}.map`, 'application/json; charset=utf-8')))
}
