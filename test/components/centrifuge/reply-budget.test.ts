import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { ErrorCode } from '../../../src/protocol/centrifuge/index.js'
import { sleep, startServer, type Server } from './harness.js'
import { RawClient } from './raw-client.js'

/** A socket-level handle on a raw client, to stop reading as a slow or hostile peer does. */
function socketOf(raw: RawClient): { pause(): void; resume(): void } {
  return (raw.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
}

/** Publishes `count` publications of about `bytes` each, so history reads have weight. */
async function fill(server: Server, channel: string, count: number, bytes: number): Promise<void> {
  const data = JSON.stringify({ text: 'x'.repeat(bytes) })
  for (let i = 0; i < count; i++) await server.hub.publish(channel, { data })
}

/** One frame of `count` history commands (ids from 2) asking for everything retained. */
function historyFrame(channel: string, count: number): string {
  const lines: string[] = []
  for (let id = 2; id < count + 2; id++) lines.push(JSON.stringify({ history: { channel, limit: -1 }, id }))
  return lines.join('\n')
}

/** Counts the hub's history reads: the work the server did for the frame. */
function countHistoryReads(server: Server): () => number {
  let reads = 0
  const read = server.hub.history.bind(server.hub)
  server.hub.history = (...args) => {
    reads++
    return read(...args)
  }
  return () => reads
}

describe('bounded work per frame (native protocol)', { timeout: 20_000 }, () => {
  const servers: Server[] = []
  after(async () => {
    for (const server of servers) await server.close()
  })

  it('runs a frame only until its replies reach maxReplyBytesPerFrame; the rest are refused with 111 (temporary) unrun', async () => {
    const server = await startServer({ maxBufferedBytes: 4 * 1_048_576, options: { maxReplyBytesPerFrame: 1_048_576, commandBurst: 400 } })
    servers.push(server)
    await fill(server, 'chat:busy', 50, 10_000)
    const reads = countHistoryReads(server)
    const raw = await RawClient.open(server.url)
    try {
      await raw.connect()
      raw.send('{"subscribe":{"channel":"chat:busy"},"id":5000}')
      await raw.reply(5000)
      const received = () => raw.frames.reduce((sum, frame) => sum + frame.length, 0)
      const before = received()
      raw.send(historyFrame('chat:busy', 199))
      await raw.reply(200, 5000)
      const replies = raw.lines.filter((line) => typeof line['id'] === 'number' && line['id'] >= 2 && line['id'] <= 200)
      assert.equal(replies.length, 199, 'every command is answered')
      const answered = replies.filter((line) => line['error'] === undefined)
      const refused = replies.filter((line) => line['error'] !== undefined)
      assert.ok(answered.length >= 2 && answered.length <= 3, `about 1 MiB of ~500 KB replies ran: ${answered.length}`)
      assert.equal(reads(), answered.length, 'refused commands did not run')
      for (const line of refused) {
        assert.equal(line['error'].code, ErrorCode.tooManyRequests)
        assert.equal(line['error'].temporary, true)
      }
      assert.ok(received() - before < 2.5 * 1_048_576, `bytes written for the frame: ${received() - before}`)
      raw.send(JSON.stringify({ history: { channel: 'chat:busy', limit: 1 }, id: 1000 }))
      assert.ok((await raw.reply(1000))['history'] !== undefined, 'the next frame has a budget of its own')
    } finally {
      raw.close()
    }
  })

  it('writes replies as they are produced: a client that does not read is closed as slow (3008) and the frame stops running', async () => {
    const server = await startServer({ maxBufferedBytes: 256 * 1024, options: { maxReplyBytesPerFrame: 1_000_000_000, commandBurst: 400 } })
    servers.push(server)
    await fill(server, 'chat:busy', 50, 10_000)
    const reads = countHistoryReads(server)
    const raw = await RawClient.open(server.url)
    try {
      await raw.connect()
      raw.send('{"subscribe":{"channel":"chat:busy"},"id":5000}')
      await raw.reply(5000)
      socketOf(raw).pause()
      raw.send(historyFrame('chat:busy', 199))
      await sleep(300)
      socketOf(raw).resume()
      const closed = await raw.closed
      assert.equal(closed.code, 3008)
      assert.ok(reads() < 10, `history reads after the slow-consumer close: ${reads()}`)
    } finally {
      raw.close()
    }
  })

  it('closes with 3013 a client whose frames wait past maxPendingFrameBytes, at receipt', async () => {
    const server = await startServer({ options: { maxPendingFrameBytes: 64 * 1024, commandBurst: 400 } })
    servers.push(server)
    let release: () => void = () => {}
    const blocked = new Promise<void>((resolve) => (release = resolve))
    server.rpc.register('block', () => blocked)
    const raw = await RawClient.open(server.url)
    try {
      await raw.connect()
      raw.send(JSON.stringify({ rpc: { method: 'block', data: {} }, id: 2 }))
      const filler = JSON.stringify({ rpc: { method: 'block', data: { pad: 'x'.repeat(8_000) } }, id: 3 })
      for (let i = 0; i < 12; i++) raw.send(filler)
      const closed = await raw.closed
      assert.equal(closed.code, 3013)
    } finally {
      release()
      raw.close()
    }
    const other = await RawClient.open(server.url)
    await other.connect()
    other.close()
  })

  it('a frame within budget gets every reply in one write at the end of the frame', async () => {
    const server = await startServer()
    servers.push(server)
    const raw = await RawClient.open(server.url)
    try {
      await raw.connect()
      raw.send('{"subscribe":{"channel":"chat:a"},"id":2}')
      await raw.reply(2)
      const framesBefore = raw.frames.length
      raw.send(['{"presence_stats":{"channel":"chat:a"},"id":3}', '{"presence":{"channel":"chat:a"},"id":4}', '{"history":{"channel":"chat:a","limit":10},"id":5}'].join('\n'))
      await raw.reply(5)
      await sleep(50)
      assert.equal(raw.frames.length - framesBefore, 1)
      for (const id of [3, 4, 5]) assert.ok((await raw.reply(id))['error'] === undefined, `reply ${id}`)
    } finally {
      raw.close()
    }
  })
})
