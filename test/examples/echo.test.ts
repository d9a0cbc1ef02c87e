import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import WebSocket from 'ws'
import { startExample, TestClient, type RunningExample } from './example-process.js'

describe('examples/echo (the README example)', () => {
  let example: RunningExample
  before(async () => {
    example = await startExample('echo')
  })
  after(async () => {
    await example.stop()
  })

  test('prints its URL and echoes text as text', async () => {
    assert.match(example.url, /\/echo$/)
    const client = await TestClient.connect(example.url)
    try {
      client.ws.send('hello, sprocket')
      const reply = await client.next()
      assert.equal(reply.isBinary, false)
      assert.equal(reply.data.toString(), 'hello, sprocket')
    } finally {
      await client.close()
    }
  })

  test('echoes binary as binary, byte for byte', async () => {
    const client = await TestClient.connect(example.url)
    try {
      const bytes = Buffer.from([0, 255, 1, 254, 128])
      client.ws.send(bytes)
      const reply = await client.next()
      assert.equal(reply.isBinary, true)
      assert.deepEqual(reply.data, bytes)
    } finally {
      await client.close()
    }
  })

  test('allows any browser origin, as the route says', async () => {
    const ws = new WebSocket(example.url, { origin: 'https://elsewhere.example' })
    await once(ws, 'open')
    ws.close()
    await once(ws, 'close')
  })

  test('SIGTERM closes the server and the process exits', async () => {
    const other = await startExample('echo')
    const client = await TestClient.connect(other.url)
    const closed = once(client.ws, 'close') as Promise<[number]>
    await other.stop()
    const [code] = await closed
    assert.equal(code, 1001)
  })
})
