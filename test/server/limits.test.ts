import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { EchoServer, type Component, type Conn } from '../../src/index.js'
import { clientFrame, closed, eventually, metric, nextMessage, openClient, RawClient, startApp } from './helpers.js'

const TEXT = 0x1
const BINARY = 0x2
const CONTINUATION = 0x0

/** Sends one message as `count` frames of `size` bytes each. */
function fragmented(count: number, size: number): Buffer {
  const payload = Buffer.alloc(size, 0x61)
  const frames: Buffer[] = []
  for (let i = 0; i < count; i++) {
    frames.push(clientFrame(i === 0 ? BINARY : CONTINUATION, payload, { fin: i === count - 1 }))
  }
  return Buffer.concat(frames)
}

describe('message limits', () => {
  let app: Awaited<ReturnType<typeof startApp>>
  before(async () => {
    app = await startApp({ closeHandshakeTimeoutMs: 1_000 }, (a) => {
      a.route('/small', new EchoServer(), undefined, { maxMessageBytes: 1024 })
      a.route('/deflate', new EchoServer(), undefined, {
        maxMessageBytes: 64 * 1024,
        compression: { enabled: true, thresholdBytes: 0 },
      })
      a.route('/big', new EchoServer(), undefined, { maxMessageBytes: 8 * 1024 * 1024 })
      a.route('/echo', new EchoServer())
    })
  })
  after(() => app.close())

  test('a message over maxMessageBytes closes 1009', async () => {
    const ws = await openClient(app.url('/small'))
    ws.send(Buffer.alloc(1024))
    assert.equal((await nextMessage(ws)).data.length, 1024)
    ws.send(Buffer.alloc(1025))
    assert.equal((await closed(ws)).code, 1009)
    assert.equal(await metric(app, 'sprocket_closes_total', 'code="1009"'), 1)
  })

  test('with compression, the inflated size counts: a small frame that inflates past the limit closes 1009', async () => {
    const ws = await openClient(app.url('/deflate'), { perMessageDeflate: true })
    assert.match(ws.extensions, /permessage-deflate/)
    ws.send(Buffer.alloc(32 * 1024))
    const echoed = await nextMessage(ws)
    assert.equal(echoed.data.length, 32 * 1024)
    const sentBefore = (ws as unknown as { _socket: { bytesWritten: number } })._socket.bytesWritten
    const before = await metric(app, 'sprocket_closes_total', 'code="1009"')
    ws.send(Buffer.alloc(1024 * 1024))
    const { code } = await closed(ws)
    assert.equal(code, 1009)
    const wireBytes = (ws as unknown as { _socket: { bytesWritten: number } })._socket.bytesWritten - sentBefore
    assert.ok(wireBytes < 64 * 1024, `the frame on the wire (${wireBytes} bytes) was under the limit`)
    assert.equal(await metric(app, 'sprocket_closes_total', 'code="1009"'), before + 1)
  })

  test('a 4 MiB message in 65,536 fragments is accepted', async () => {
    const raw = await RawClient.open(app.port, '/big')
    raw.send(fragmented(65_536, 64))
    const echo = await raw.waitFor((f) => f.opcode === BINARY, 20_000)
    assert.equal(echo?.payload.length, 4 * 1024 * 1024)
    raw.destroy()
  })

  test('one fragment more than maxFragments closes 1009', async () => {
    const before = await metric(app, 'sprocket_closes_total', 'code="1009"')
    const raw = await RawClient.open(app.port, '/big')
    raw.send(fragmented(65_537, 1))
    assert.equal(await raw.closeCode(10_000), 1009)
    assert.equal(raw.frames.some((f) => f.opcode === BINARY), false)
    await raw.waitEnd()
    await eventually(() => metric(app, 'sprocket_closes_total', 'code="1009"'), before + 1)
  })

  test('control frames between fragments do not count', async () => {
    const app2 = await startApp({}, (a) => a.route('/echo', new EchoServer(), undefined, { maxFragments: 3 }))
    const raw = await RawClient.open(app2.port, '/echo')
    raw.send(Buffer.concat([
      clientFrame(TEXT, Buffer.from('a'), { fin: false }),
      clientFrame(0x9, Buffer.from('ping')),
      clientFrame(CONTINUATION, Buffer.from('b'), { fin: false }),
      clientFrame(0x9, Buffer.from('ping')),
      clientFrame(CONTINUATION, Buffer.from('c')),
    ]))
    const echo = await raw.waitFor((f) => f.opcode === TEXT)
    assert.equal(echo?.payload.toString(), 'abc')
    raw.send(fragmented(4, 1))
    assert.equal(await raw.closeCode(), 1009)
    raw.destroy()
    await app2.close()
  })

  test('invalid UTF-8 in a text message closes 1007', async () => {
    const raw = await RawClient.open(app.port, '/echo')
    raw.send(clientFrame(TEXT, Buffer.from([0x68, 0xff, 0xfe])))
    assert.equal(await raw.closeCode(), 1007)
    raw.destroy()
    await raw.waitEnd()
    await eventually(() => metric(app, 'sprocket_closes_total', 'code="1007"'), 1)
  })

  test('an unmasked client frame closes 1002', async () => {
    const raw = await RawClient.open(app.port, '/echo')
    raw.send(clientFrame(TEXT, Buffer.from('hi'), { mask: false }))
    assert.equal(await raw.closeCode(), 1002)
    raw.destroy()
    await raw.waitEnd()
    await eventually(() => metric(app, 'sprocket_closes_total', 'code="1002"'), 1)
  })
})

/** Floods its connection from a timer until the server closes it; remembers the largest queue it saw. */
class Flood implements Component {
  maxBufferedBytes = 0
  closedWith: number | undefined
  readonly #chunk = Buffer.alloc(16 * 1024, 0x78)

  onOpen(): void {}

  onMessage(conn: Conn): void {
    const tick = () => {
      if (!conn.isOpen) return
      for (let i = 0; i < 4; i++) conn.send(this.#chunk)
      this.maxBufferedBytes = Math.max(this.maxBufferedBytes, conn.bufferedBytes)
      setImmediate(tick)
    }
    tick()
  }

  onClose(_conn: Conn, code: number): void {
    this.closedWith = code
  }

  onError(): void {}
}

describe('slow consumer', () => {
  test('a client that stops reading is closed at maxBufferedBytes with the configured code; memory stays bounded', async () => {
    const flood = new Flood()
    const limit = 256 * 1024
    const app = await startApp({ closeHandshakeTimeoutMs: 10_000 }, (a) =>
      a.route('/flood', flood, undefined, { maxBufferedBytes: limit, slowConsumerCloseCode: 4008 }),
    )
    const raw = await RawClient.open(app.port, '/flood')
    raw.socket.pause()
    raw.send(clientFrame(TEXT, Buffer.from('go')))
    const deadline = Date.now() + 10_000
    while ((await metric(app, 'sprocket_slow_consumers_total')) === 0) {
      assert.ok(Date.now() < deadline, 'slow consumer detected in time')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // Four 16 KiB sends per turn: the queue may pass the limit by at most one turn's worth.
    assert.ok(flood.maxBufferedBytes <= limit + 4 * 16 * 1024, `queue peaked at ${flood.maxBufferedBytes}`)
    raw.socket.resume()
    assert.equal(await raw.closeCode(10_000), 4008)
    raw.destroy()
    await raw.waitEnd()
    while (flood.closedWith === undefined) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(flood.closedWith, 4008)
    assert.equal(await metric(app, 'sprocket_closes_total', 'code="4008"'), 1)
    await app.close()
  })
})
