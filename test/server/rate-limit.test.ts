import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import type { WebSocket } from 'ws'
import { EchoServer, RateLimit, RATE_LIMIT_CLOSE_CODE, type App, type Component, type Conn } from '../../src/index.js'
import { closed, eventually, metric, openClient, startApp } from './helpers.js'

/** Collects every text message a client receives. */
function received(ws: WebSocket): string[] {
  const messages: string[] = []
  ws.on('message', (data: Buffer) => messages.push(data.toString()))
  return messages
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** An echo that records what reaches it, to show what the decorator passes on. */
class RecordingEcho implements Component {
  readonly messages: string[] = []
  readonly closes: number[] = []
  onOpen(): void {}
  onMessage(conn: Conn, data: string | Uint8Array): void {
    this.messages.push(String(data))
    conn.send(data)
  }
  onClose(_conn: Conn, code: number): void {
    this.closes.push(code)
  }
  onError(): void {}
}

describe('RateLimit (a Component decorator)', () => {
  test('passes a burst on, then closes the connection with 1008 at the first message over it', async () => {
    const inner = new RecordingEcho()
    const app = await startApp({}, (a) => a.route('/echo', new RateLimit(inner, { messagesPerSecond: 1, burst: 3 })))
    try {
      const ws = await openClient(app.url('/echo'))
      const messages = received(ws)
      const done = closed(ws)
      for (const text of ['1', '2', '3', '4', '5']) ws.send(text)
      const { code } = await done
      assert.equal(code, RATE_LIMIT_CLOSE_CODE)
      assert.equal(code, 1008)
      assert.deepEqual(messages, ['1', '2', '3'])
      assert.deepEqual(inner.messages, ['1', '2', '3'], 'the message over the limit and later ones never reach the component')
      await eventually(() => inner.closes.join(), '1008') // onClose reaches the decorated component once, with the code
      await eventually(() => metric(app, 'sprocket_closes_total', 'code="1008"'), 1)
    } finally {
      await app.close()
    }
  })

  test('each connection has its own bucket, refilled over time', async () => {
    const app = await startApp({}, (a) => a.route('/echo', new RateLimit(new EchoServer(), { messagesPerSecond: 20, burst: 2 })))
    try {
      const [a, b] = await Promise.all([openClient(app.url('/echo')), openClient(app.url('/echo'))])
      const [fromA, fromB] = [received(a), received(b)]
      a.send('a1')
      a.send('a2')
      b.send('b1')
      b.send('b2')
      await sleep(150) // 20/s refills the 2-message bucket in 100 ms
      a.send('a3')
      a.send('a4')
      await sleep(100)
      assert.deepEqual(fromA, ['a1', 'a2', 'a3', 'a4'])
      assert.deepEqual(fromB, ['b1', 'b2'])
      const aClosed = closed(a)
      for (const text of ['x', 'y', 'z']) a.send(text)
      assert.equal((await aClosed).code, 1008)
      b.send('b3')
      await sleep(50)
      assert.deepEqual(fromB, ['b1', 'b2', 'b3'], 'the other connection is not affected')
      b.close()
      await closed(b)
    } finally {
      await app.close()
    }
  })

  test('closeCode picks the close code; decorators nest', async () => {
    const component: Component = new RateLimit(new RateLimit(new EchoServer(), { messagesPerSecond: 100 }), { messagesPerSecond: 1, closeCode: 4029 })
    const app = await startApp({}, (a) => a.route('/echo', component))
    try {
      const ws = await openClient(app.url('/echo'))
      const messages = received(ws)
      const done = closed(ws)
      ws.send('one')
      ws.send('two')
      assert.equal((await done).code, 4029)
      assert.deepEqual(messages, ['one'])
    } finally {
      await app.close()
    }
  })

  test('refuses options that cannot limit anything', () => {
    assert.throws(() => new RateLimit(new EchoServer(), { messagesPerSecond: 0 }), RangeError)
    assert.throws(() => new RateLimit(new EchoServer(), { messagesPerSecond: Number.NaN }), RangeError)
    assert.throws(() => new RateLimit(new EchoServer(), { messagesPerSecond: 5, burst: 0.5 }), RangeError)
  })
})

test('the docs/server.md decorator example runs: 20 messages at once pass, the 21st closes 1008', async () => {
  const docs = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8')
  const block = /## Decorators[\s\S]*?```ts\n([\s\S]*?)```/.exec(docs)?.[1] ?? ''
  assert.ok(block.includes("from 'sprocket'") && block.includes('port: 8080'))
  const srcIndex = new URL('../../src/index.js', import.meta.url).href
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-docs-'))
  const file = join(dir, 'decorator-example.mts')
  writeFileSync(file, `${block.replace("from 'sprocket'", `from '${srcIndex}'`).replace('port: 8080', 'port: 0')}\nexport { app }\n`)
  const { app } = (await import(pathToFileURL(file).href)) as { app: App }
  try {
    const ws = await openClient(`ws://127.0.0.1:${app.port}/echo`)
    const messages = received(ws)
    const done = closed(ws)
    for (let i = 1; i <= 21; i++) ws.send(String(i))
    assert.equal((await done).code, 1008)
    assert.equal(messages.length, 20)
  } finally {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
