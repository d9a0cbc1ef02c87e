import { EchoServer } from '../components/echo.js'
import { mountHealth } from '../http/health.js'
import { mountMetrics } from '../http/metrics.js'
import type { Mount } from './serve-context.js'

/** WebSocket echo at `/echo`: every message comes back to its sender. */
export const mountEcho: Mount = ({ app, config }) => {
  app.route('/echo', new EchoServer(), config.allowedOrigins)
}

/** `/healthz` (liveness) and `/readyz` (503 while starting or draining). */
export const mountHealthRoutes: Mount = ({ app }) => {
  mountHealth(app)
}

/** `/metrics`: the process registry (server, hub, engine and Node.js metrics) for Prometheus. */
export const mountMetricsRoute: Mount = ({ app, registry }) => {
  mountMetrics(app, registry)
}
