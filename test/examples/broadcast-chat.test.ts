import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BroadcastChat } from '../../examples/broadcast-chat/broadcast-chat.js'
import { App } from '../../src/index.js'
import { startExample, TestClient } from './example-process.js'

describe('examples/broadcast-chat', () => {
  let app: App
  let url: string
  before(async () => {
    app = new App({ host: '127.0.0.1', port: 0 })
    app.route('/chat', new BroadcastChat(), ['*'])
    const { port } = await app.listen()
    url = `ws://127.0.0.1:${port}/chat`
  })
  after(async () => {
    await app.close({ timeoutMs: 1000 })
  })

  test('a message reaches every other client, not the sender', async () => {
    const [alice, bob, carol] = await Promise.all([TestClient.connect(url), TestClient.connect(url), TestClient.connect(url)])
    try {
      alice.ws.send('hi all')
      for (const client of [bob, carol]) {
        const message = await client.next()
        assert.equal(message.data.toString(), 'hi all')
        assert.equal(message.isBinary, false)
      }
      assert.ok(await alice.silentFor(100), 'the sender does not get its own message')
    } finally {
      await Promise.all([alice.close(), bob.close(), carol.close()])
    }
  })

  test('binary messages stay binary', async () => {
    const [alice, bob] = await Promise.all([TestClient.connect(url), TestClient.connect(url)])
    try {
      bob.ws.send(Buffer.from([1, 2, 3]))
      const message = await alice.next()
      assert.equal(message.isBinary, true)
      assert.deepEqual([...message.data], [1, 2, 3])
    } finally {
      await Promise.all([alice.close(), bob.close()])
    }
  })

  test('a client that left no longer receives, the others still do', async () => {
    const [alice, bob, carol] = await Promise.all([TestClient.connect(url), TestClient.connect(url), TestClient.connect(url)])
    try {
      await bob.close()
      await waitFor(() => app.connectionCount === 2)
      alice.ws.send('after bob left')
      assert.equal((await carol.next()).data.toString(), 'after bob left')
    } finally {
      await Promise.all([alice.close(), carol.close()])
    }
  })

  test('server.ts runs with one command', async () => {
    const example = await startExample('broadcast-chat')
    try {
      const [a, b] = await Promise.all([TestClient.connect(example.url), TestClient.connect(example.url)])
      a.ws.send('ping')
      assert.equal((await b.next()).data.toString(), 'ping')
      await Promise.all([a.close(), b.close()])
    } finally {
      await example.stop()
    }
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
