/** The Prometheus scrape endpoint (`/metrics`). */
import type { Registry } from 'prom-client'
import type { HttpHandler, HttpMountable } from '../server/types.js'

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(registry: Registry): HttpHandler {
  return async (_req, res) => {
    const body = await registry.metrics()
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' })
    res.end(body)
  }
}

/** Mounts `/metrics` on `app`, serving `registry` (default: the app's own, `App.registry`). */
export function mountMetrics(app: HttpMountable & { readonly registry: Registry }, registry: Registry = app.registry, path = '/metrics'): void {
  app.mount(path, metricsHandler(registry))
}
