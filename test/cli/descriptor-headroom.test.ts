/**
 * Connections cannot exhaust the process's descriptors: under a low open-file limit the default
 * connection ceiling keeps headroom, so once it is reached handshakes get 503 while /healthz and
 * plain HTTP keep answering.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test } from 'node:test'
import WebSocket from 'ws'
import { ServeProcess } from './cli-process.js'

test('under ulimit -n 512 the default ceiling is 256 connections, and /healthz answers when it is reached', async () => {
  const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory'], { openFileLimit: 512 })
  const clients: WebSocket[] = []
  try {
    const port = await server.port()
    assert.equal((await server.waitForLog((l) => l.msg === 'serving')).maxConnections, 256)
    for (let i = 0; i < 256; i += 32) {
      const batch = Array.from({ length: 32 }, () => new WebSocket(`ws://127.0.0.1:${port}/echo`))
      await Promise.all(batch.map((ws) => once(ws, 'open')))
      clients.push(...batch)
    }
    const refused = new WebSocket(`ws://127.0.0.1:${port}/echo`)
    refused.on('error', () => {}) // the refusal ends the attempt; ws reports it as an error too
    const [, response] = (await once(refused, 'unexpected-response')) as [unknown, { statusCode: number }]
    assert.equal(response.statusCode, 503)
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    assert.equal(health.status, 200)
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
    assert.match(await metrics.text(), /sprocket_handshakes_refused_total\{status="503",reason="too_many_connections"\} 1/)
  } finally {
    for (const ws of clients) ws.terminate()
    await server.stop()
  }
})
