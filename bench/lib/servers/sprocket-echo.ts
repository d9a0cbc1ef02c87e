import { EchoServer } from '../../../src/components/echo.js'
import { App } from '../../../src/server/app.js'
import { serveChild } from '../serve-child.js'

/** Sprocket's side of the echo bench: an `App` with `EchoServer` on /echo, default options. */
await serveChild(async () => {
  const app = new App({ host: '127.0.0.1', port: 0 })
  app.route('/echo', new EchoServer())
  const address = await app.listen()
  return {
    port: address.port,
    commands: {},
    connections: () => app.connectionCount,
    close: () => app.close({ timeoutMs: 1000 }),
  }
})
