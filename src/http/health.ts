import type { App } from '../server/app.js'
import type { HttpHandler } from '../server/types.js'

function json(status: number, body: unknown): HttpHandler {
  const text = JSON.stringify(body)
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    res.end(text)
  }
}

const ok = json(200, { status: 'ok' })
const notReady = (state: string) => json(503, { status: state })

/** `GET /healthz`: 200 `{"status":"ok"}` while the process serves HTTP at all (liveness). */
export function healthHandler(): HttpHandler {
  return ok
}

/**
 * `GET /readyz`: 200 `{"status":"ok"}` while the app is 'ready'; 503 with the state
 * (`{"status":"starting"}`, `{"status":"draining"}`) otherwise, so load balancers stop routing
 * new connections to a node that is shutting down.
 */
export function readinessHandler(app: Pick<App, 'state'>): HttpHandler {
  return (req, res) => (app.state === 'ready' ? ok : notReady(app.state))(req, res)
}

/** Mounts `/healthz` and `/readyz` on `app`. */
export function mountHealth(app: App): void {
  app.mount('/healthz', healthHandler())
  app.mount('/readyz', readinessHandler(app))
}
