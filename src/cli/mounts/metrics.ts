/** `sprocket serve`'s Prometheus endpoint. */
import { mountMetrics } from '../../http/metrics.js'
import type { Mount } from '../serve-context.js'

/** `/metrics`: the process registry (server, hub, engine and Node.js metrics) for Prometheus. */
export const metricsMount: Mount = ({ app, registry }) => {
  mountMetrics(app, registry)
}
