/** Liveness and readiness probes (`/healthz`, `/readyz`) for load balancers and orchestrators. */
import type { AppState } from '../server/app.js'
import { sendJson } from '../server/send-json.js'
import type { HttpHandler, HttpMountable } from '../server/types.js'

/** What readiness reads of the server: its lifecycle state (`App.state`). */
export type ReadinessSource = { readonly state: AppState }

/** Extra readiness checks: `engineConnected` false (the engine lost its backend) makes `/readyz` answer 503. */
export type ReadinessChecks = { engineConnected?: () => boolean }

/** `GET /healthz`: 200 `{"status":"ok"}` while the process serves HTTP at all (liveness). */
export function healthHandler(): HttpHandler {
  return (_req, res) => sendJson(res, 200, { status: 'ok' })
}

/**
 * `GET /readyz`: 200 `{"status":"ok"}` while the app is 'ready' and the engine reaches its
 * backend; 503 with the reason otherwise (`{"status":"starting"}`, `{"status":"draining"}`,
 * `{"status":"engine_unavailable"}`), so load balancers stop routing new connections to a node
 * that is shutting down or cannot store anything.
 */
export function readinessHandler(app: ReadinessSource, checks: ReadinessChecks = {}): HttpHandler {
  return (_req, res) => {
    if (app.state !== 'ready') return sendJson(res, 503, { status: app.state })
    if (checks.engineConnected?.() === false) return sendJson(res, 503, { status: 'engine_unavailable' })
    return sendJson(res, 200, { status: 'ok' })
  }
}

/** Mounts `/healthz` and `/readyz` on `app`. */
export function mountHealth(app: HttpMountable & ReadinessSource, checks: ReadinessChecks = {}): void {
  app.mount('/healthz', healthHandler())
  app.mount('/readyz', readinessHandler(app, checks))
}
