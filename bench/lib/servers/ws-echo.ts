import { WebSocketServer } from 'ws'
import { serveChild } from '../serve-child.js'

/** The peer of the echo bench: a bare `ws` server on /echo, compression off, bufferutil in use. */
await serveChild(async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/echo', perMessageDeflate: false })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
  })
  const address = wss.address()
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
  return {
    port: address.port,
    commands: {},
    connections: () => wss.clients.size,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  }
})
