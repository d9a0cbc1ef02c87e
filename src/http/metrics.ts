/** The Prometheus scrape endpoint (`/metrics`), open or behind a bearer token. */
import type { Registry } from 'prom-client'
import { apiKeyMatches } from '../auth/api-key.js'
import type { HttpHandler, HttpMountable } from '../server/types.js'

export type MetricsOptions = {
  /**
   * When set, a scrape must send `Authorization: Bearer <token>` (Prometheus: `authorization:
   * { credentials: <token> }`); anything else is answered 401.
   */
  token?: string
}

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(registry: Registry, options: MetricsOptions = {}): HttpHandler {
  const { token } = options
  return async (req, res) => {
    if (token !== undefined && !apiKeyMatches(bearerOf(req.headers.authorization), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer realm="metrics"' })
      res.end('Unauthorized\n')
      return
    }
    const body = await registry.metrics()
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' })
    res.end(body)
  }
}

function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')
  return match?.[1]
}

/** Mounts `/metrics` on `app`, serving `registry` (default: the app's own, `App.registry`). */
export function mountMetrics(
  app: HttpMountable & { readonly registry: Registry },
  registry: Registry = app.registry,
  path = '/metrics',
  options: MetricsOptions = {},
): void {
  app.mount(path, metricsHandler(registry, options))
}
