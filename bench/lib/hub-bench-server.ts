import { createMemoryEngine } from '../../src/engine/index.js'
import { Hub } from '../../src/hub/index.js'
import type { ChannelsOptionsInput } from '../../src/hub/options.js'
import { App } from '../../src/server/app.js'
import { Publisher, type PublishPlan } from './publisher.js'
import { serveChild } from './serve-child.js'

/** What a bench side mounts on the App; `close` runs after the App closed, before the hub. */
export type BenchMount = (app: App, hub: Hub) => { close?(): void }

/**
 * Runs a Sprocket bench side in this child process: App + hub (memory engine) with `mount`'s
 * routes, and a publisher loop calling `hub.publish` on `channel` — as the HTTP API's publishes do.
 */
export async function serveHubBench(channel: string, channels: ChannelsOptionsInput, mount: BenchMount): Promise<void> {
  await serveChild(async () => {
    const engine = createMemoryEngine({})
    const hub = new Hub(engine, channels)
    await hub.start()
    const app = new App({ host: '127.0.0.1', port: 0 })
    const mounted = mount(app, hub)
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
        mounted.close?.()
        await hub.close()
        await engine.close()
      },
    }
  })
}
