import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { ControlMessage } from '../../../src/engine/types.js'
import { ErrorCode } from '../../../src/protocol/centrifuge/index.js'
import { API_KEY, startApiServer, subscribeRecorder, type ApiServer } from './api-harness.js'

let server: ApiServer
before(async () => {
  server = await startApiServer()
})
after(() => server.close())

function captureControl(kind: string) {
  const seen: ControlMessage[] = []
  const off = server.hub.onControl(kind, (message) => seen.push(message))
  return {
    seen,
    off,
    async next(): Promise<ControlMessage> {
      for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      off()
      const first = seen[0]
      assert.ok(first, `no ${kind} control message`)
      return first
    },
  }
}

describe('publish', () => {
  test('returns offset and epoch, and the subscriber receives the data', async () => {
    const rec = await subscribeRecorder(server.hub, 'chat:pub1')
    const reply = await server.json('publish', { channel: 'chat:pub1', data: { text: 'hello', n: [1, 2] } })
    assert.equal(reply.result.offset, 1)
    assert.equal(typeof reply.result.epoch, 'string')
    const [event] = await rec.waitFor(1)
    assert.ok(event?.type === 'publication')
    assert.deepEqual(JSON.parse(event.publication.data), { text: 'hello', n: [1, 2] })
  })

  test('data may be any JSON value, null included', async () => {
    const rec = await subscribeRecorder(server.hub, 'chat:pub2')
    for (const data of ['text', 42, null, [1, 'a'], true]) {
      const reply = await server.json('publish', { channel: 'chat:pub2', data })
      assert.ok(reply.result, JSON.stringify(reply))
    }
    const events = await rec.waitFor(5)
    assert.deepEqual(events.map((e) => (e.type === 'publication' ? JSON.parse(e.publication.data) : undefined)), ['text', 42, null, [1, 'a'], true])
  })

  test('tags reach the publication and idempotency_key drops a retry', async () => {
    const first = await server.json('publish', { channel: 'chat:pub3', data: 1, tags: { k: 'v' }, idempotency_key: 'abc' })
    const retry = await server.json('publish', { channel: 'chat:pub3', data: 1, tags: { k: 'v' }, idempotency_key: 'abc' })
    assert.equal(retry.result.offset, first.result.offset)
    const history = await server.json('history', { channel: 'chat:pub3', limit: 10 })
    assert.equal(history.result.publications.length, 1)
    assert.deepEqual(history.result.publications[0].tags, { k: 'v' })
  })

  test('wrong field types and missing fields are 107', async () => {
    for (const body of [
      { channel: 'chat:x' },
      { data: 1 },
      { channel: 5, data: 1 },
      { channel: '', data: 1 },
      { channel: 'chat:x', data: 1, tags: { a: 1 } },
      { channel: 'chat:x', data: 1, skip_history: 'yes' },
      [1, 2],
      'just a string',
    ]) {
      const reply = await server.json('publish', typeof body === 'string' ? JSON.stringify(body) : body)
      assert.equal(reply.error?.code, ErrorCode.badRequest, JSON.stringify(body))
    }
  })

  test('unknown namespace is 102', async () => {
    const reply = await server.json('publish', { channel: 'nope:x', data: {} })
    assert.equal(reply.error.code, ErrorCode.unknownChannel)
  })

  test('options Sprocket does not implement are 108, not silently ignored', async () => {
    for (const extra of [{ skip_history: true }, { b64data: 'aGk=' }, { delta: true }, { version: 3 }]) {
      const reply = await server.json('publish', { channel: 'chat:x', data: 1, ...extra })
      assert.equal(reply.error?.code, ErrorCode.notAvailable, JSON.stringify(extra))
    }
  })
})

describe('broadcast', () => {
  test('publishes to several channels, one response per channel in order', async () => {
    const a = await subscribeRecorder(server.hub, 'chat:b1')
    const b = await subscribeRecorder(server.hub, 'plain-b2')
    const reply = await server.json('broadcast', { channels: ['chat:b1', 'plain-b2', 'nope:b3', ''], data: { hi: 1 } })
    const [r1, r2, r3, r4] = reply.result.responses
    assert.equal(r1.result.offset, 1)
    assert.ok(r2.result)
    assert.equal(r3.error.code, ErrorCode.unknownChannel)
    assert.equal(r4.error.code, ErrorCode.badRequest)
    for (const rec of [a, b]) {
      const [event] = await rec.waitFor(1)
      assert.ok(event?.type === 'publication')
      assert.deepEqual(JSON.parse(event.publication.data), { hi: 1 })
    }
  })

  test('empty channels is 107 for the whole call', async () => {
    assert.equal((await server.json('broadcast', { channels: [], data: 1 })).error.code, ErrorCode.badRequest)
    assert.equal((await server.json('broadcast', { channels: 'chat:a', data: 1 })).error.code, ErrorCode.badRequest)
  })
})

describe('control methods', () => {
  test('subscribe sends a subscribe control message', async () => {
    const capture = captureControl('subscribe')
    const reply = await server.json('subscribe', { user: '42', channel: 'chat:s', client: 'c9', data: { why: 'api' } })
    assert.deepEqual(reply, { result: {} })
    assert.deepEqual(await capture.next(), { kind: 'subscribe', user: '42', channel: 'chat:s', client: 'c9', data: { why: 'api' } })
  })

  test('subscribe to an unknown namespace is 102 and sends nothing', async () => {
    const capture = captureControl('subscribe')
    assert.equal((await server.json('subscribe', { user: '42', channel: 'nope:s' })).error.code, ErrorCode.unknownChannel)
    await new Promise((resolve) => setTimeout(resolve, 30))
    capture.off()
    assert.equal(capture.seen.length, 0)
  })

  test('subscribe options Sprocket lacks are 108', async () => {
    for (const extra of [{ expire_at: 100 }, { info: {} }, { session: 's' }, { override: {} }]) {
      assert.equal((await server.json('subscribe', { user: '1', channel: 'chat:s', ...extra })).error?.code, ErrorCode.notAvailable, JSON.stringify(extra))
    }
  })

  test('unsubscribe sends an unsubscribe control message', async () => {
    const capture = captureControl('unsubscribe')
    assert.deepEqual(await server.json('unsubscribe', { user: '42', channel: 'chat:s' }), { result: {} })
    assert.deepEqual(await capture.next(), { kind: 'unsubscribe', user: '42', channel: 'chat:s' })
    assert.equal((await server.json('unsubscribe', { user: '42', channel: 'nope:s' })).error.code, ErrorCode.unknownChannel)
  })

  test('disconnect defaults to 3503 force disconnect, or takes code and reason', async () => {
    let capture = captureControl('disconnect')
    assert.deepEqual(await server.json('disconnect', { user: '42' }), { result: {} })
    assert.deepEqual(await capture.next(), { kind: 'disconnect', user: '42', code: 3503, reason: 'force disconnect' })
    capture = captureControl('disconnect')
    await server.json('disconnect', { user: '42', client: 'c1', disconnect: { code: 4501, reason: 'banned' } })
    assert.deepEqual(await capture.next(), { kind: 'disconnect', user: '42', client: 'c1', code: 4501, reason: 'banned' })
  })

  test('disconnect passes a whitelist of client ids to keep', async () => {
    const capture = captureControl('disconnect')
    await server.json('disconnect', { user: '42', whitelist: ['c1', 'c2'] })
    assert.deepEqual(await capture.next(), { kind: 'disconnect', user: '42', code: 3503, reason: 'force disconnect', whitelist: ['c1', 'c2'] })
  })

  test('subscribe with recover_since passes the position', async () => {
    const capture = captureControl('subscribe')
    await server.json('subscribe', { user: '42', channel: 'chat:s', recover_since: { offset: 3, epoch: 'E' } })
    assert.deepEqual(await capture.next(), { kind: 'subscribe', user: '42', channel: 'chat:s', since: { offset: 3, epoch: 'E' } })
  })

  test('disconnect validation: user required, code in 3000-4999', async () => {
    assert.equal((await server.json('disconnect', {})).error.code, ErrorCode.badRequest)
    assert.equal((await server.json('disconnect', { user: '' })).error.code, ErrorCode.badRequest)
    assert.equal((await server.json('disconnect', { user: '1', disconnect: { code: 1000, reason: 'x' } })).error.code, ErrorCode.badRequest)
    assert.equal((await server.json('disconnect', { user: '1', whitelist: 'c1' })).error.code, ErrorCode.badRequest)
  })

  test('refresh sends a refresh control message', async () => {
    const capture = captureControl('refresh')
    assert.deepEqual(await server.json('refresh', { user: '42', client: 'c2', expire_at: 2000000000, expired: false }), { result: {} })
    assert.deepEqual(await capture.next(), { kind: 'refresh', user: '42', client: 'c2', expireAt: 2000000000, expired: false })
  })
})

describe('presence', () => {
  test('presence and presence_stats report subscribers', async () => {
    const rec = await subscribeRecorder(server.hub, 'chat:p1', 'u7', 'client-7')
    const presence = await server.json('presence', { channel: 'chat:p1' })
    assert.deepEqual(presence.result.presence, { 'client-7': { user: 'u7', client: 'client-7' } })
    assert.deepEqual((await server.json('presence_stats', { channel: 'chat:p1' })).result, { num_clients: 1, num_users: 1 })
    await server.hub.unsubscribe(rec.subscriber, 'chat:p1')
    assert.deepEqual((await server.json('presence_stats', { channel: 'chat:p1' })).result, { num_clients: 0, num_users: 0 })
  })

  test('presence where the namespace has it off is 108; unknown namespace 102', async () => {
    assert.equal((await server.json('presence', { channel: 'plain:x' })).error.code, ErrorCode.notAvailable)
    assert.equal((await server.json('presence_stats', { channel: 'nope:x' })).error.code, ErrorCode.unknownChannel)
  })
})

describe('history', () => {
  before(async () => {
    for (let i = 1; i <= 5; i++) await server.json('publish', { channel: 'chat:h', data: { i } })
  })

  test('limit 0 (the default) gives only the position', async () => {
    const reply = await server.json('history', { channel: 'chat:h' })
    assert.deepEqual(reply.result.publications, [])
    assert.equal(reply.result.offset, 5)
    assert.equal(typeof reply.result.epoch, 'string')
  })

  test('limit -1 gives everything, limit n the first n, reverse the newest first', async () => {
    const all = (await server.json('history', { channel: 'chat:h', limit: -1 })).result
    assert.deepEqual(all.publications.map((p: any) => p.data.i), [1, 2, 3, 4, 5])
    assert.deepEqual(all.publications.map((p: any) => p.offset), [1, 2, 3, 4, 5])
    const two = (await server.json('history', { channel: 'chat:h', limit: 2, reverse: true })).result
    assert.deepEqual(two.publications.map((p: any) => p.data.i), [5, 4])
  })

  test('reverse with since pages backwards from since; from offset 0 it is 107', async () => {
    const { epoch } = (await server.json('history', { channel: 'chat:h' })).result
    const before4 = (await server.json('history', { channel: 'chat:h', limit: 2, since: { offset: 4, epoch }, reverse: true })).result
    assert.deepEqual(before4.publications.map((p: any) => p.offset), [3, 2])
    assert.equal(before4.offset, 5)
    const zero = await server.json('history', { channel: 'chat:h', limit: 2, since: { offset: 0, epoch }, reverse: true })
    assert.equal(zero.error.code, ErrorCode.badRequest)
  })

  test('since returns what followed; a since from another epoch is 112', async () => {
    const { epoch } = (await server.json('history', { channel: 'chat:h' })).result
    const after3 = (await server.json('history', { channel: 'chat:h', limit: 10, since: { offset: 3, epoch } })).result
    assert.deepEqual(after3.publications.map((p: any) => p.data.i), [4, 5])
    const stale = await server.json('history', { channel: 'chat:h', limit: 10, since: { offset: 3, epoch: 'other' } })
    assert.equal(stale.error.code, ErrorCode.unrecoverablePosition)
  })

  test('history where the namespace keeps none is 108; bad limit is 107', async () => {
    assert.equal((await server.json('history', { channel: 'plain:x', limit: 1 })).error.code, ErrorCode.notAvailable)
    assert.equal((await server.json('history', { channel: 'chat:h', limit: -2 })).error.code, ErrorCode.badRequest)
    assert.equal((await server.json('history', { channel: 'chat:h', limit: 1.5 })).error.code, ErrorCode.badRequest)
  })

  test('history_remove drops publications but keeps the position', async () => {
    await server.json('publish', { channel: 'chat:hr', data: 1 })
    await server.json('publish', { channel: 'chat:hr', data: 2 })
    assert.deepEqual(await server.json('history_remove', { channel: 'chat:hr' }), { result: {} })
    const after = (await server.json('history', { channel: 'chat:hr', limit: -1 })).result
    assert.deepEqual(after.publications, [])
    assert.equal(after.offset, 2)
  })
})

describe('channels and info', () => {
  test('channels lists active channels with counts, filtered by pattern', async () => {
    await subscribeRecorder(server.hub, 'chat:active-1')
    await subscribeRecorder(server.hub, 'chat:active-1')
    await subscribeRecorder(server.hub, 'plain:active-2')
    const all = (await server.json('channels', {})).result.channels
    assert.deepEqual(all['chat:active-1'], { num_clients: 2 })
    assert.deepEqual(all['plain:active-2'], { num_clients: 1 })
    const chat = (await server.json('channels', { pattern: 'chat:active-*' })).result.channels
    assert.deepEqual(Object.keys(chat), ['chat:active-1'])
    const alt = (await server.json('channels', { pattern: '{plain,zzz}:active-?' })).result.channels
    assert.deepEqual(Object.keys(alt), ['plain:active-2'])
    assert.equal((await server.json('channels', { pattern: 'chat:[' })).error.code, ErrorCode.badRequest)
  })

  test('info describes this node', async () => {
    const { nodes } = (await server.json('info', {})).result
    assert.equal(nodes.length, 1)
    const [node] = nodes
    assert.equal(typeof node.uid, 'string')
    assert.equal(typeof node.version, 'string')
    assert.ok(node.num_channels >= 1)
    assert.ok(node.num_subs >= node.num_channels)
    assert.equal(node.num_clients, 0)
    assert.ok(Number.isInteger(node.uptime))
  })
})

describe('batch', () => {
  test('answers one reply per command, errors in their slots', async () => {
    const reply = await server.json('batch', {
      commands: [
        { publish: { channel: 'chat:batch', data: { n: 1 } } },
        { publish: { channel: 'nope:batch', data: {} } },
        { frobnicate: {} },
        { presence_stats: { channel: 'chat:batch' } },
        { publish: { channel: 'chat:batch' } },
        { batch: { commands: [] } },
      ],
    })
    const [ok, unknownChannel, unknownMethod, stats, bad, nested] = reply.replies
    assert.equal(ok.publish.offset, 1)
    assert.equal(unknownChannel.error.code, ErrorCode.unknownChannel)
    assert.equal(unknownMethod.error.code, ErrorCode.methodNotFound)
    assert.deepEqual(stats.presence_stats, { num_clients: 0, num_users: 0 })
    assert.equal(bad.error.code, ErrorCode.badRequest)
    assert.equal(nested.error.code, ErrorCode.methodNotFound)
    assert.equal(reply.result, undefined)
  })

  test('parallel batches keep reply order', async () => {
    const commands = Array.from({ length: 10 }, (_, i) => ({ publish: { channel: `chat:par-${i}`, data: i } }))
    const reply = await server.json('batch', { commands, parallel: true })
    assert.equal(reply.replies.length, 10)
    for (const r of reply.replies) assert.equal(r.publish.offset, 1)
  })

  test('a batch without commands is 107', async () => {
    assert.equal((await server.json('batch', {})).error.code, ErrorCode.badRequest)
  })

  test('a batch of more than maxBatchCommands commands is refused whole with 106, nothing run', async () => {
    const limited = await startApiServer({ apiKey: API_KEY, maxBatchCommands: 5 })
    try {
      const commands = Array.from({ length: 6 }, () => ({ publish: { channel: 'chat:too-many', data: {} } }))
      assert.equal((await limited.json('batch', { commands })).error.code, ErrorCode.limitExceeded)
      assert.equal((await limited.json('history', { channel: 'chat:too-many', limit: 0 })).result.offset, 0)
      assert.equal((await limited.json('batch', { commands: commands.slice(1) })).replies.length, 5)
    } finally {
      await limited.close()
    }
  })

  for (const parallel of [false, true]) {
    test(`${parallel ? 'parallel: ' : ''}once the replies reach maxBatchReplyBytes the remaining commands are answered 106 unrun`, async () => {
      const limited = await startApiServer({ apiKey: API_KEY, maxBatchReplyBytes: 200_000 })
      try {
        const data = { text: 'x'.repeat(10_000) }
        await limited.json('batch', { commands: Array.from({ length: 10 }, () => ({ publish: { channel: 'chat:heavy', data } })) })
        let reads = 0
        const read = limited.hub.history.bind(limited.hub)
        limited.hub.history = (...args) => {
          reads++
          return read(...args)
        }
        const commands = Array.from({ length: 100 }, () => ({ history: { channel: 'chat:heavy', limit: -1 } }))
        const res = await limited.call('batch', { commands, parallel })
        const text = await res.text()
        const { replies } = JSON.parse(text) as { replies: Array<{ history?: unknown; error?: { code: number } }> }
        assert.equal(replies.length, 100)
        const ran = replies.filter((reply) => reply.history !== undefined).length
        assert.ok(ran >= 2 && ran <= (parallel ? 32 : 2), `replies of ~100 KB that ran: ${ran}`)
        assert.equal(reads, ran, 'refused commands did not run')
        for (const reply of replies.slice(ran)) assert.equal(reply.error?.code, ErrorCode.limitExceeded)
        assert.ok(text.length < (parallel ? 3_500_000 : 400_000), `answer bytes: ${text.length}`)
      } finally {
        await limited.close()
      }
    })
  }
})
