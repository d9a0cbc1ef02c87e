import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FramedMessage, frameHeader, textFrame } from '../../src/server/prepared-message.js'
import { WebSocket } from 'ws'
import { closed, startApp } from './helpers.js'
import type { Component, Conn } from '../../src/index.js'

/** Reads back the payload length an unmasked frame header declares (RFC 6455 §5.2). */
function declared(frame: Buffer): { fin: boolean; opcode: number; length: number; at: number } {
  const code = frame[1]! & 0x7f
  const length = code === 126 ? frame.readUInt16BE(2) : code === 127 ? Number(frame.readBigUInt64BE(2)) : code
  return { fin: (frame[0]! & 0x80) !== 0, opcode: frame[0]! & 0x0f, length, at: code === 126 ? 4 : code === 127 ? 10 : 2 }
}

test('headers use the shortest length form at each boundary, never masked', () => {
  for (const size of [0, 125, 126, 65_535, 65_536, 2 ** 32 + 5]) {
    const header = frameHeader(true, size)
    const read = declared(Buffer.concat([header, Buffer.alloc(8)]))
    assert.equal(read.length, size)
    assert.equal(header.length, read.at)
    assert.equal(read.fin, true)
    assert.equal(read.opcode, 0x2)
    assert.equal(header[1]! & 0x80, 0)
  }
})

test('text frames carry UTF-8 and its byte length, not the string length', () => {
  const { frame, payloadBytes } = textFrame('é✓')
  assert.equal(payloadBytes, 5)
  const read = declared(frame)
  assert.equal(read.opcode, 0x1)
  assert.equal(frame.subarray(read.at).toString('utf8'), 'é✓')
})

test('a prepared message is one buffer: header then payload', () => {
  const message = new FramedMessage(Buffer.alloc(70_000, 7))
  const read = declared(message.frame)
  assert.equal(message.frame.length, read.at + 70_000)
  assert.equal(message.payloadBytes, 70_000)
  assert.ok(message.frame.subarray(read.at).every((byte) => byte === 7))
})

test('messages of every length form reach a real client intact', async () => {
  const sizes = [0, 125, 126, 65_535, 65_536, 200_000]
  const component: Component = {
    onOpen(conn: Conn) {
      for (const size of sizes) {
        conn.send('t'.repeat(size))
        conn.send(Buffer.alloc(size, 1))
        conn.sendPrepared(new FramedMessage('p'.repeat(size)))
      }
    },
    onMessage() {},
    onClose() {},
    onError() {},
  }
  const app = await startApp({}, (a) => a.route('/sizes', component))
  // Listening before 'open': the first frames can arrive in the same read as the 101 response.
  const ws = new WebSocket(app.url('/sizes'))
  const got: Array<[boolean, number]> = []
  await new Promise<void>((resolve) =>
    ws.on('message', (data: Buffer, isBinary) => {
      got.push([isBinary, data.length])
      if (got.length === sizes.length * 3) resolve()
    }),
  )
  assert.deepEqual(got, sizes.flatMap((size) => [[false, size], [true, size], [false, size]]))
  ws.close()
  await closed(ws)
  await app.close()
})
