import { WebSocketServer } from 'ws'
import { Publisher, type PublishPlan } from '../publisher.js'
import { serveChild } from '../serve-child.js'

/** The naive peer of the fan-out bench: a bare `ws` server that calls `ws.send` per client per publication. */
await serveChild(async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/fanout', perMessageDeflate: false })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const address = wss.address()
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
  const publisher = await Publisher.create()
  return {
    port: address.port,
    commands: {
      notifyPort: () => publisher.port,
      subscribers: () => wss.clients.size,
      publish: (plan) =>
        publisher.run(plan as PublishPlan, (data) => {
          for (const client of wss.clients) client.send(data)
        }),
    },
    connections: () => wss.clients.size,
    close: async () => {
      publisher.close()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
})
