import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { App, Component, Conn } from '../../src/index.js'
import { clientFrame, closed, eventually, metric, openClient, RawClient, startApp } from './helpers.js'

/**
 * On 'burst N', sends N numbered messages in one turn; on 'fan', sends one prepared message to
 * everyone; on 'bye', sends one message and closes; on 'reply', sends one message.
 */
class Broadcaster implements Component {
  readonly conns = new Set<Conn>()
  app!: App
  bufferedAfterBurst = 0

  onOpen(conn: Conn): void {
    this.conns.add(conn)
  }

  onMessage(conn: Conn, data: string | Uint8Array): void {
    if (typeof data !== 'string') return
    const [command, arg] = data.split(' ')
    if (command === 'burst') {
      for (let i = 0; i < Number(arg); i++) conn.send(i % 2 === 0 ? `m${i}` : Buffer.from(`b${i}`))
      this.bufferedAfterBurst = conn.bufferedBytes
    } else if (command === 'bye') {
      conn.send('last words')
      conn.close(4000, 'bye')
    } else if (command === 'reply') {
      conn.send('reply')
    } else if (command === 'fan') {
      const text = this.app.prepare(`fan ${arg}`)
      const binary = this.app.prepare(Buffer.from([1, 2, 3, Number(arg)]))
      for (const each of this.conns) {
        each.sendPrepared(text)
        each.send(`after ${arg}`)
        each.sendPrepared(binary)
      }
    }
  }

  onClose(conn: Conn): void {
    this.conns.delete(conn)
  }

  onError(): void {}
}

describe('fast writes', () => {
  let app: Awaited<ReturnType<typeof startApp>>
  const component = new Broadcaster()
  before(async () => {
    app = await startApp({}, (a) => {
      a.route('/plain', component)
      a.route('/deflate', component, undefined, { compression: { enabled: true, thresholdBytes: 0 } })
    })
    component.app = app
  })
  after(() => app.close())

  test('many sends in one turn are held for one write and arrive intact, in order', async () => {
    const raw = await RawClient.open(app.port, '/plain')
    raw.send(clientFrame(0x1, Buffer.from('burst 1000')))
    await eventually(() => raw.frames.length, 1000)
    raw.frames.forEach((frame, i) => {
      assert.equal(frame.opcode, i % 2 === 0 ? 0x1 : 0x2)
      assert.equal(frame.payload.toString(), i % 2 === 0 ? `m${i}` : `b${i}`)
    })
    // Corked until the end of the turn: every frame is still queued when the burst ends
    // (uncorked, the first write would have gone to the kernel at once).
    const frameBytes = raw.frames.reduce((sum, frame) => sum + 2 + frame.payload.length, 0)
    assert.equal(component.bufferedAfterBurst, frameBytes)
    raw.destroy()
  })

  test('a prepared message reaches every connection, ordered with plain sends, compressed ones included', async () => {
    const plain = await Promise.all(Array.from({ length: 20 }, () => openClient(app.url('/plain'))))
    const deflate = await Promise.all(
      Array.from({ length: 5 }, () => openClient(app.url('/deflate'), { perMessageDeflate: { threshold: 0 } })),
    )
    const all = [...plain, ...deflate]
    const received = all.map(() => [] as string[])
    all.forEach((ws, i) => ws.on('message', (data, isBinary) => received[i]!.push(isBinary ? `[${[...(data as Buffer)].join(',')}]` : data.toString())))
    const sentBefore = await metric(app, 'sprocket_messages_sent_total')
    plain[0]!.send('fan 7')
    plain[0]!.send('fan 8')
    for (let i = 0; i < all.length; i++) await eventually(() => received[i]!.length, 6)
    const expected = ['fan 7', 'after 7', '[1,2,3,7]', 'fan 8', 'after 8', '[1,2,3,8]']
    for (const messages of received) assert.deepEqual(messages, expected)
    assert.equal(await metric(app, 'sprocket_messages_sent_total'), sentBefore + 6 * all.length)
    for (const ws of all) ws.close()
    await Promise.all(all.map(closed))
  })

  test('a message sent just before close() arrives before the close frame', async () => {
    const raw = await RawClient.open(app.port, '/plain')
    raw.send(clientFrame(0x1, Buffer.from('bye')))
    assert.equal(await raw.closeCode(), 4000)
    assert.deepEqual(
      raw.frames.map((frame) => frame.opcode),
      [0x1, 0x8],
    )
    assert.equal(raw.frames[0]!.payload.toString(), 'last words')
    raw.destroy()
  })

  test('no data frame follows the close frame that answers the peer, even one sent in the same turn', async () => {
    const raw = await RawClient.open(app.port, '/plain')
    // One TCP write: the server reads the message and the close frame in one chunk, so the reply
    // is sent in the turn in which the close frame is answered.
    raw.send(Buffer.concat([clientFrame(0x1, Buffer.from('reply')), clientFrame(0x8, Buffer.from([0x0f, 0xa0]))]))
    assert.equal(await raw.closeCode(), 4000)
    await raw.waitEnd()
    const closeAt = raw.frames.findIndex((frame) => frame.opcode === 0x8)
    assert.deepEqual(raw.frames.slice(closeAt + 1), [])
    raw.destroy()
  })

  test('sendPrepared refuses something that is not a prepared message', async () => {
    const ws = await openClient(app.url('/plain'))
    await eventually(() => component.conns.size >= 1, true)
    const conn = [...component.conns].at(-1)!
    assert.throws(() => conn.sendPrepared({ kind: 'prepared-message', payloadBytes: 1 }), TypeError)
    ws.close()
    await closed(ws)
  })
})
