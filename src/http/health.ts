/** Liveness and readiness probes (`/healthz`, `/readyz`) for load balancers and orchestrators. */
import type { AppState } from '../server/app.js'
import { sendJson } from '../server/send-json.js'
import type { HttpHandler, HttpMountable } from '../server/types.js'

/** What readiness reads of the server: its lifecycle state (`App.state`). */
export type ReadinessSource = { readonly state: AppState }

/** `GET /healthz`: 200 `{"status":"ok"}` while the process serves HTTP at all (liveness). */
export function healthHandler(): HttpHandler {
  return (_req, res) => sendJson(res, 200, { status: 'ok' })
}

/**
 * `GET /readyz`: 200 `{"status":"ok"}` while the app is 'ready'; 503 with the state
 * (`{"status":"starting"}`, `{"status":"draining"}`) otherwise, so load balancers stop routing
 * new connections to a node that is shutting down.
 */
export function readinessHandler(app: ReadinessSource): HttpHandler {
  return (_req, res) => (app.state === 'ready' ? sendJson(res, 200, { status: 'ok' }) : sendJson(res, 503, { status: app.state }))
}

/** Mounts `/healthz` and `/readyz` on `app`. */
export function mountHealth(app: HttpMountable & ReadinessSource): void {
  app.mount('/healthz', healthHandler())
  app.mount('/readyz', readinessHandler(app))
}
