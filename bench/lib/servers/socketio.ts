import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { Publisher, type PublishPlan } from '../publisher.js'
import { serveChild } from '../serve-child.js'

const room = 'bench'

/**
 * The peer of the native-protocol bench: a Socket.IO server (WebSocket transport, compression
 * off) whose clients join one room; each publication is one `io.to(room).emit('pub', data)`.
 */
await serveChild(async () => {
  const http = createServer()
  const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false })
  io.on('connection', (socket) => {
    void socket.join(room)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()))
  const publisher = await Publisher.create()
  return {
    port: (http.address() as AddressInfo).port,
    commands: {
      notifyPort: () => publisher.port,
      subscribers: () => io.sockets.adapter.rooms.get(room)?.size ?? 0,
      publish: (plan) =>
        publisher.run(plan as PublishPlan, (data) => {
          io.to(room).emit('pub', JSON.parse(data) as unknown)
        }),
    },
    connections: () => io.engine.clientsCount,
    close: async () => {
      publisher.close()
      io.disconnectSockets(true)
      await io.close()
    },
  }
})
