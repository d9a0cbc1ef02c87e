import { FanoutBenchComponent } from '../fanout-component.js'
import { serveHubBench } from '../hub-bench-server.js'

const channel = 'bench'

/** Sprocket's side of the fan-out bench: App + hub (memory engine) + a publisher loop calling `hub.publish`. */
await serveHubBench(channel, {}, (app, hub) => {
  app.route('/fanout', new FanoutBenchComponent(hub, channel, (data) => app.prepare(data)))
  return {}
})
