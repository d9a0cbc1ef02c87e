import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DirectChat } from '../../examples/direct-chat/direct-chat.js'
import { DirectChatError } from '../../examples/direct-chat/messages.js'
import { App } from '../../src/index.js'
import { startExample, TestClient } from './example-process.js'

describe('examples/direct-chat', () => {
  let app: App
  let url: string
  const open: TestClient[] = []
  before(async () => {
    app = new App({ host: '127.0.0.1', port: 0 })
    app.route('/chat', new DirectChat(), ['*'])
    const { port } = await app.listen()
    url = `ws://127.0.0.1:${port}/chat`
  })
  after(async () => {
    await Promise.all(open.map((client) => client.close()))
    await app.close({ timeoutMs: 1000 })
  })

  async function client(): Promise<TestClient> {
    const c = await TestClient.connect(url)
    open.push(c)
    return c
  }

  async function registered(id: string, name: string): Promise<TestClient> {
    const c = await client()
    c.sendJson({ type: 'register', id, name })
    assert.deepEqual(await c.nextJson(), { type: 'registered', id, name })
    return c
  }

  async function expectError(c: TestClient, code: DirectChatError): Promise<void> {
    const reply = await c.nextJson()
    assert.equal(reply.type, 'error')
    assert.equal(reply.code, code)
  }

  test('a direct message reaches only its target, with the sender\'s registered id and name', async () => {
    const alice = await registered('u-alice', 'Alice')
    const bob = await registered('u-bob', 'Bob')
    const carol = await registered('u-carol', 'Carol')
    alice.sendJson({ type: 'direct', to: 'u-bob', message: 'hi Bob', color: '#ff8800' })
    assert.deepEqual(await bob.nextJson(), { type: 'direct', from: 'u-alice', name: 'Alice', message: 'hi Bob', color: '#ff8800' })
    assert.deepEqual(await alice.nextJson(), { type: 'delivered', to: 'u-bob' })
    assert.ok(await carol.silentFor(100), 'nobody else sees it')
  })

  test('a name or id the sender claims in the message is ignored', async () => {
    const mallory = await registered('u-mallory', 'Mallory')
    const dave = await registered('u-dave', 'Dave')
    mallory.sendJson({ type: 'direct', to: 'u-dave', message: 'trust me', name: 'Admin', from: 'u-admin' })
    const received = await dave.nextJson()
    assert.equal(received.name, 'Mallory')
    assert.equal(received.from, 'u-mallory')
    assert.equal(received.color, undefined)
  })

  test('an unknown target is an error reply; the connection keeps working', async () => {
    const erin = await registered('u-erin', 'Erin')
    const frank = await registered('u-frank', 'Frank')
    erin.sendJson({ type: 'direct', to: 'u-nobody', message: 'hello?' })
    await expectError(erin, DirectChatError.unknownRecipient)
    erin.sendJson({ type: 'direct', to: 'u-frank', message: 'still here' })
    assert.equal((await frank.nextJson()).message, 'still here')
  })

  test('registering a taken id is refused; registering twice on one connection too', async () => {
    const gina = await registered('u-gina', 'Gina')
    const impostor = await client()
    impostor.sendJson({ type: 'register', id: 'u-gina', name: 'Not Gina' })
    await expectError(impostor, DirectChatError.idTaken)
    gina.sendJson({ type: 'register', id: 'u-gina-2', name: 'Gina again' })
    await expectError(gina, DirectChatError.alreadyRegistered)
    // The refused client can still register a free id.
    impostor.sendJson({ type: 'register', id: 'u-hank', name: 'Hank' })
    assert.deepEqual(await impostor.nextJson(), { type: 'registered', id: 'u-hank', name: 'Hank' })
  })

  test('sending before registering is refused', async () => {
    await registered('u-ivy', 'Ivy')
    const anonymous = await client()
    anonymous.sendJson({ type: 'direct', to: 'u-ivy', message: 'who am I' })
    await expectError(anonymous, DirectChatError.notRegistered)
  })

  test('invalid JSON, a bad shape and binary frames get error codes, and the server carries on', async () => {
    const jack = await registered('u-jack', 'Jack')
    jack.ws.send('{not json')
    await expectError(jack, DirectChatError.invalidJson)
    for (const bad of [{ type: 'shout', message: 'x' }, { type: 'direct', to: 'u-jack' }, { type: 'register', id: '', name: 'x' }, [1, 2], 'text', null]) {
      jack.sendJson(bad)
      await expectError(jack, DirectChatError.invalidMessage)
    }
    jack.sendJson({ type: 'direct', to: 'u-jack', message: 'x', color: 'red; background: url(x)' })
    await expectError(jack, DirectChatError.invalidMessage)
    jack.ws.send(Buffer.from([1, 2, 3]))
    await expectError(jack, DirectChatError.invalidMessage)
    jack.sendJson({ type: 'direct', to: 'u-jack', message: 'note to self' })
    assert.equal((await jack.nextJson()).message, 'note to self')
  })

  test('everyone registered is told when a registered client disconnects; its id becomes free', async () => {
    const kim = await registered('u-kim', 'Kim')
    const leo = await registered('u-leo', 'Leo')
    const unregistered = await client()
    await kim.close()
    assert.deepEqual(await leo.nextJson(), { type: 'left', id: 'u-kim', name: 'Kim' })
    assert.ok(await unregistered.silentFor(100), 'unregistered clients are not told')
    const kim2 = await registered('u-kim', 'Kim (again)')
    leo.sendJson({ type: 'direct', to: 'u-kim', message: 'welcome back' })
    assert.equal((await kim2.nextJson()).message, 'welcome back')
  })

  test('an unregistered client leaving tells nobody', async () => {
    const mia = await registered('u-mia', 'Mia')
    const passerby = await client()
    await passerby.close()
    assert.ok(await mia.silentFor(100))
  })

  test('server.ts runs with one command', async () => {
    const example = await startExample('direct-chat')
    try {
      const a = await TestClient.connect(example.url)
      a.sendJson({ type: 'register', id: 'a', name: 'A' })
      assert.equal((await a.nextJson()).type, 'registered')
      await a.close()
    } finally {
      await example.stop()
    }
  })
})
