/** `sprocket serve`'s health probes. */
import { mountHealth } from '../../http/health.js'
import type { Mount } from '../serve-context.js'

/** `/healthz` (liveness) and `/readyz` (503 while starting or draining). */
export const healthMount: Mount = ({ app }) => {
  mountHealth(app)
}
