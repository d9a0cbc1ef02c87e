import { mountCentrifuge } from '../../src/components/centrifuge/index.js'
import { createMemoryEngine } from '../../src/engine/index.js'
import { createHub } from '../../src/hub/index.js'
import { App } from '../../src/index.js'
import { Ticker, tickerNamespace } from './ticker.js'

// The hub on an engine: channels `ticker:*` keep their last 100 quotes for an hour, and
// anonymous clients may subscribe to them and read that history.
const engine = createMemoryEngine()
const hub = await createHub(engine, {
  namespaces: { [tickerNamespace]: { historySize: 100, historyTtlMs: 3_600_000, anonymousAccess: true } },
})

const app = new App({ host: '0.0.0.0', port: Number(process.env.PORT ?? 8080) })
// Subscribers: the native protocol (centrifuge-js and the other Centrifugo clients).
const centrifuge = mountCentrifuge(app, { hub, allowedOrigins: ['*'] })
// Feeders: the application's own component, publishing to the hub.
app.route('/ticker', new Ticker(hub), ['*'])
const { port } = await app.run()

console.log(`ticker feeds on ws://localhost:${port}/ticker`)
console.log(`subscribers on ws://localhost:${port}/connection/websocket (channels ${tickerNamespace}:<SYMBOL>)`)

async function shutdown(): Promise<void> {
  centrifuge.close()
  await app.close()
  await hub.close()
  await engine.close()
}
process.once('SIGINT', () => void shutdown())
process.once('SIGTERM', () => void shutdown())
