import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EchoServer } from '../../src/index.js'
import { eventually, metric, nextMessage, openClient, RawClient, startApp } from './helpers.js'

test('keepalive terminates a peer that ignores pings, keeps one that answers', async () => {
  const app = await startApp({ keepaliveIntervalMs: 100 }, (a) => a.route('/echo', new EchoServer()))
  const silent = await RawClient.open(app.port, '/echo')
  const healthy = await openClient(app.url('/echo'))
  await silent.waitFor((frame) => frame.opcode === 0x9)
  await silent.waitEnd()
  assert.equal(await metric(app, 'sprocket_keepalive_timeouts_total'), 1)
  await eventually(() => metric(app, 'sprocket_closes_total', 'code="1006"'), 1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  healthy.send('alive')
  assert.equal((await nextMessage(healthy)).data.toString(), 'alive')
  assert.equal(app.connectionCount, 1)
  healthy.close()
  await app.close()
})

test('keepaliveIntervalMs 0 sends no pings', async () => {
  const app = await startApp({ keepaliveIntervalMs: 0 }, (a) => a.route('/echo', new EchoServer()))
  const raw = await RawClient.open(app.port, '/echo')
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(raw.frames.length, 0)
  raw.destroy()
  await app.close()
})
