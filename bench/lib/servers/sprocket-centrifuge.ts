import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import { createMemoryEngine } from '../../../src/engine/index.js'
import { Hub } from '../../../src/hub/index.js'
import { App } from '../../../src/server/app.js'
import { Publisher, type PublishPlan } from '../publisher.js'
import { serveChild } from '../serve-child.js'

const channel = 'bench'

/**
 * Sprocket's side of the native-protocol bench: the Centrifugo-compatible endpoint
 * (`/connection/websocket`) over the hub (memory engine, channels open to anonymous clients, no
 * history), publications entering at `hub.publish` as the HTTP API's do.
 */
await serveChild(async () => {
  const engine = createMemoryEngine({})
  const hub = new Hub(engine, { default: { anonymousAccess: true } })
  await hub.start()
  const app = new App({ host: '127.0.0.1', port: 0 })
  const component = mountCentrifuge(app, { hub, options: { personalChannel: false } })
  const address = await app.listen()
  const publisher = await Publisher.create()
  return {
    port: address.port,
    commands: {
      notifyPort: () => publisher.port,
      subscribers: () => hub.channels().get(channel) ?? 0,
      publish: (plan) => publisher.run(plan as PublishPlan, (data) => hub.publish(channel, { data })),
    },
    connections: () => app.connectionCount,
    close: async () => {
      publisher.close()
      await app.close({ timeoutMs: 1000 })
      component.close()
      await hub.close()
      await engine.close()
    },
  }
})
