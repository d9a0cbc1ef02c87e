/** `sprocket serve`'s health probes. */
import { mountHealth } from '../../http/health.js'
import type { Mount } from '../serve-context.js'

/** `/healthz` (liveness) and `/readyz` (503 while starting, draining, or while the engine has lost its backend). */
export const healthMount: Mount = ({ app, engine }) => {
  mountHealth(app, { engineConnected: () => engine.connected !== false })
}
