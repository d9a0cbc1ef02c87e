import { createMemoryEngine } from '../../../src/engine/index.js'
import { Hub } from '../../../src/hub/index.js'
import { App } from '../../../src/server/app.js'
import { FanoutBenchComponent } from '../fanout-component.js'
import { Publisher, type PublishPlan } from '../publisher.js'
import { serveChild } from '../serve-child.js'

const channel = 'bench'

/** Sprocket's side of the fan-out bench: App + hub (memory engine) + a publisher loop calling `hub.publish`. */
await serveChild(async () => {
  const engine = createMemoryEngine({})
  const hub = new Hub(engine, {})
  await hub.start()
  const app = new App({ host: '127.0.0.1', port: 0 })
  app.route('/fanout', new FanoutBenchComponent(hub, channel, (data) => app.prepare(data)))
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
      await hub.close()
      await engine.close()
    },
  }
})
