/** `sprocket serve`'s echo route. */
import { EchoServer } from '../../components/echo.js'
import type { Mount } from '../serve-context.js'

/** WebSocket echo at `/echo`: every message comes back to its sender. */
export const echoMount: Mount = ({ app, config }) => {
  app.route('/echo', new EchoServer(), config.allowedOrigins)
}
