import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FrameCounter } from '../../src/server/frame-counter.js'
import { clientFrame } from './helpers.js'

const fragments = (count: number, size: number) =>
  Array.from({ length: count }, (_, i) => clientFrame(i === 0 ? 0x2 : 0x0, Buffer.alloc(size), { fin: i === count - 1 }))

test('counts the frames of each message and resets after FIN', () => {
  const counter = new FrameCounter(3)
  assert.equal(counter.push(Buffer.concat([...fragments(3, 10), ...fragments(3, 70_000)])), true)
  assert.equal(counter.push(Buffer.concat(fragments(4, 1))), false)
  assert.equal(counter.exceeded, true)
})

test('headers split across chunks, byte by byte, still parse', () => {
  const counter = new FrameCounter(2)
  const bytes = Buffer.concat([...fragments(2, 300), clientFrame(0x9, Buffer.from('p')), ...fragments(2, 70_000), ...fragments(3, 5)])
  let result = true
  for (let i = 0; i < bytes.length && result; i += 1 + (i % 7)) result = counter.push(bytes.subarray(i, i + 1 + (i % 7)))
  assert.equal(result, false)
  assert.equal(counter.exceeded, true)
})

test('control frames in the middle of a message do not count', () => {
  const counter = new FrameCounter(2)
  const [first, last] = fragments(2, 4) as [Buffer, Buffer]
  const ping = clientFrame(0x9, Buffer.alloc(0))
  assert.equal(counter.push(Buffer.concat([first, ping, ping, ping, last])), true)
})
