/** `sprocket serve`'s hub metrics on the process registry that /metrics serves. */
import { registerHubMetrics } from '../../http/hub-metrics.js'
import type { Mount } from '../serve-context.js'

/** Subscriptions, channels, publishes, deliveries and engine publish time, read at each scrape. */
export const hubMetricsMount: Mount = ({ registry, hub }) => {
  registerHubMetrics(registry, hub)
}
