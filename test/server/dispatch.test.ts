import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CloseError, ErrorReason, PeerError, type Component, type Conn } from '../../src/index.js'
import { closed, eventually, metric, nextMessage, openClient, startApp } from './helpers.js'

/** Echoes, except on a few commands that make it misbehave. */
class Faulty implements Component {
  readonly errors: Error[] = []
  readonly closes: Array<[string, number]> = []
  readonly #opened = new WeakSet<Conn>()

  async onOpen(conn: Conn): Promise<void> {
    if (conn.request.url.includes('slow-open')) await new Promise((resolve) => setTimeout(resolve, 100))
    if (conn.request.url.includes('fail-open')) throw new Error('open failed')
    this.#opened.add(conn)
  }

  async onMessage(conn: Conn, data: string | Uint8Array): Promise<void> {
    if (!this.#opened.has(conn)) conn.send('message before open settled')
    if (data === 'throw') throw new Error('bug in onMessage')
    if (data === 'reject') return Promise.reject(new Error('async bug'))
    if (data === 'throw-string') throw 'not an Error'
    if (data === 'bad-close-code') conn.close(1005)
    if (data === 'peer-mistake') throw new CloseError(4001, 'bad')
    if (data === 'peer-mistake-no-code') throw new PeerError(ErrorReason.badRequest, 'bad')
    if (data === 'peer-mistake-unsendable-code') throw new CloseError(1005, 'bad')
    if (data === 'peer-mistake-out-of-range') return Promise.reject(new CloseError(5000, 'bad'))
    conn.send(data)
  }

  onClose(conn: Conn, code: number): void {
    this.closes.push([conn.id, code])
    throw new Error('bug in onClose')
  }

  onError(_conn: Conn, error: Error): void {
    this.errors.push(error)
    throw new Error('bug in onError too')
  }
}

describe('dispatch: the one catch', () => {
  let app: Awaited<ReturnType<typeof startApp>>
  const component = new Faulty()
  before(async () => {
    app = await startApp({}, (a) => a.route('/*', component))
  })
  after(() => app.close())

  for (const command of ['throw', 'reject', 'throw-string', 'bad-close-code']) {
    test(`${command} in onMessage: that connection closes 1011, another keeps working`, async () => {
      const errorsBefore = component.errors.length
      const bugsBefore = await metric(app, 'sprocket_component_errors_total', 'phase="onMessage"')
      const victim = await openClient(app.url('/a'))
      const bystander = await openClient(app.url('/b'))
      victim.send(command)
      assert.equal((await closed(victim)).code, 1011)
      bystander.send('still here')
      assert.equal((await nextMessage(bystander)).data.toString(), 'still here')
      assert.equal(component.errors.length, errorsBefore + 1)
      assert.ok(component.errors.at(-1) instanceof Error)
      assert.equal(await metric(app, 'sprocket_component_errors_total', 'phase="onMessage"'), bugsBefore + 1)
      await eventually(() => metric(app, 'sprocket_closes_total', 'code="1011"') .then((n) => n >= 1), true)
      bystander.close()
      await closed(bystander)
    })
  }

  test('a CloseError closes with its closeCode, a PeerError with 1008, and neither is reported as a bug', async () => {
    const errorsBefore = component.errors.length
    const ws = await openClient(app.url('/c'))
    ws.send('peer-mistake')
    assert.equal((await closed(ws)).code, 4001)
    const other = await openClient(app.url('/c'))
    other.send('peer-mistake-no-code')
    assert.equal((await closed(other)).code, 1008)
    assert.equal(component.errors.length, errorsBefore)
    await eventually(() => metric(app, 'sprocket_closes_total', 'code="4001"'), 1)
  })

  test('a CloseError naming a close code no close frame may carry closes 1008, the process carries on', async () => {
    for (const command of ['peer-mistake-unsendable-code', 'peer-mistake-out-of-range']) {
      const ws = await openClient(app.url('/c'))
      ws.send(command)
      assert.equal((await closed(ws)).code, 1008, command)
    }
    const other = await openClient(app.url('/c'))
    other.send('still here')
    assert.equal((await nextMessage(other)).data.toString(), 'still here')
    other.close()
    await closed(other)
  })

  test('a failing onOpen closes 1011', async () => {
    const ws = await openClient(app.url('/fail-open'))
    assert.equal((await closed(ws)).code, 1011)
    assert.equal(await metric(app, 'sprocket_component_errors_total', 'phase="onOpen"'), 1)
  })

  test('messages wait for an async onOpen, in order', async () => {
    const ws = await openClient(app.url('/slow-open'))
    const received: string[] = []
    ws.on('message', (data) => received.push(data.toString()))
    for (const word of ['one', 'two', 'three']) ws.send(word)
    await eventually(() => received.length, 3)
    assert.deepEqual(received, ['one', 'two', 'three'])
    ws.close()
    await closed(ws)
  })

  test('onClose runs once per connection with the close code, and its throw is caught', async () => {
    const ws = await openClient(app.url('/d'))
    ws.close(4321)
    await closed(ws)
    await eventually(() => component.closes.filter(([, code]) => code === 4321).length, 1)
    // A peer's own application code is counted in its range, not as a series of its own.
    await eventually(() => metric(app, 'sprocket_closes_total', 'code="4xxx"').then((n) => n >= 1), true)
    assert.equal(await metric(app, 'sprocket_closes_total', 'code="4321"'), 0)
    await eventually(() => metric(app, 'sprocket_component_errors_total', 'phase="onClose"').then((n) => n > 0), true)
  })
})
