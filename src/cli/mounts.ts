import { mountEcho, mountHealthRoutes, mountMetricsRoute } from './builtin-mounts.js'
import type { Mount } from './serve-context.js'

/**
 * Every feature `sprocket serve` mounts, in order: one line each. A feature exports its own
 * `Mount` (a function of the `ServeContext`) and is listed here.
 */
export const mounts: readonly Mount[] = [
  mountEcho,
  mountHealthRoutes,
  mountMetricsRoute,
]
