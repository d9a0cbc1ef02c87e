import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EchoServer } from '../../src/index.js'
import { closed, nextMessage, openClient, startApp } from '../server/helpers.js'

test('EchoServer sends text back as text and binary as binary, to the sender only', async () => {
  const app = await startApp({}, (a) => a.route('/echo', new EchoServer()))
  const [a, b] = await Promise.all([openClient(app.url('/echo')), openClient(app.url('/echo'))])
  let bGot = 0
  b.on('message', () => bGot++)
  a.send('héllo ✓')
  const text = await nextMessage(a)
  assert.equal(text.isBinary, false)
  assert.equal(text.data.toString('utf8'), 'héllo ✓')
  const bytes = Buffer.from([0xff, 0x00, 0x80])
  a.send(bytes)
  const binary = await nextMessage(a)
  assert.equal(binary.isBinary, true)
  assert.deepEqual(binary.data, bytes)
  a.send('')
  assert.equal((await nextMessage(a)).data.length, 0)
  assert.equal(bGot, 0)
  a.close()
  b.close()
  await Promise.all([closed(a), closed(b)])
  await app.close()
})
