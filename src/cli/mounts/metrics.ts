/** `sprocket serve`'s Prometheus endpoint: on the main port, or on a port of its own. */
import { createServer } from 'node:http'
import { metricsHandler, mountMetrics } from '../../http/metrics.js'
import type { Mount } from '../serve-context.js'

/**
 * `/metrics`: the process registry (server, hub, engine and Node.js metrics) for Prometheus,
 * behind `metrics.token` when set. With `metrics.port` it listens on `metrics.host:metrics.port`
 * only (a port the firewall keeps internal), and the main port has no `/metrics`.
 */
export const metricsMount: Mount = async ({ app, registry, config, logger, onShutdown }) => {
  const { enabled, token, port, host } = config.metrics
  if (!enabled) return
  const options = token === undefined ? {} : { token }
  if (port === undefined) {
    mountMetrics(app, registry, '/metrics', options)
    return
  }
  const handler = metricsHandler(registry, options)
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/metrics') {
      void Promise.resolve(handler(req, res)).catch(() => {
        if (!res.headersSent) res.writeHead(500)
        res.end()
      })
      return
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('Not Found\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics` }, 'metrics listening')
  onShutdown(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
}
