/** `sprocket serve`'s echo route. */
import { EchoServer } from '../../components/echo.js'
import { routeOrigins } from '../route-origins.js'
import type { Mount } from '../serve-context.js'

/** WebSocket echo at `/echo`: every message comes back to its sender. Anonymous, so capped on its own. */
export const echoMount: Mount = ({ app, config }) => {
  if (!config.echo.enabled) return
  app.route('/echo', new EchoServer(), routeOrigins(config), { maxRouteConnections: config.echo.maxConnections })
}
