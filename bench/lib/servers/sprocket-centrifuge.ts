import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import { serveHubBench } from '../hub-bench-server.js'

/**
 * Sprocket's side of the native-protocol bench: the Centrifugo-compatible endpoint
 * (`/connection/websocket`) over the hub (memory engine, channels open to anonymous clients, no
 * history), publications entering at `hub.publish` as the HTTP API's do.
 */
await serveHubBench('bench', { default: { anonymousAccess: true } }, (app, hub) =>
  mountCentrifuge(app, { hub, options: { personalChannel: false } }),
)
