import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { connectionToken, sleep, startServer, until, type Server } from './harness.js'
import { RawClient } from './raw-client.js'

describe('native protocol on the wire', () => {
  let server: Server
  const raws: RawClient[] = []
  const open = async () => {
    const raw = await RawClient.open(server.url)
    raws.push(raw)
    return raw
  }
  before(async () => {
    server = await startServer({
      options: { pingIntervalMs: 400, pongTimeoutMs: 250, staleCloseDelayMs: 400, maxCommandsPerSecond: 20, commandBurst: 20 },
    })
  })
  after(async () => {
    for (const raw of raws) raw.close()
    await server.close()
  })

  /** After each violation the server must still serve a fresh connection. */
  async function stillServing(): Promise<void> {
    const healthy = await open()
    const result = await healthy.connect()
    assert.equal(typeof result['connect'].client, 'string')
    healthy.close()
  }

  for (const [name, frames] of [
    ['malformed JSON', ['{"connect":{},"id":1}', '{"presence":']],
    ['an unknown command', ['{"connect":{},"id":1}', '{"frobnicate":{},"id":2}']],
    ['an id above uint32', ['{"connect":{},"id":4294967296}']],
    ['a negative id', ['{"connect":{},"id":-5}']],
    ['a field of the wrong type', ['{"connect":{},"id":1}', '{"subscribe":{"channel":42},"id":2}']],
    ['a command before connect', ['{"subscribe":{"channel":"chat:x"},"id":1}']],
    ['a second connect', ['{"connect":{},"id":1}', '{"connect":{},"id":2}']],
    ['id 0 on a command that needs one', ['{"connect":{},"id":1}', '{"publish":{"channel":"chat:x","data":{}}}']],
    ['an empty channel', ['{"connect":{},"id":1}', '{"subscribe":{"channel":""},"id":2}']],
    ['a JSON array', ['[]']],
    ['two request fields', ['{"connect":{},"id":1}', '{"subscribe":{"channel":"chat:x"},"history":{"channel":"chat:x"},"id":2}']],
    ['JSON nested 20,000 levels deep', ['{"connect":{},"id":1}', `{"publish":{"channel":"chat:x","data":${'['.repeat(20_000)}${']'.repeat(20_000)}},"id":2}`]],
  ] as const) {
    it(`closes with 3501 on ${name}`, async () => {
      const raw = await open()
      for (const frame of frames) raw.send(frame)
      const closed = await raw.closed
      assert.equal(closed.code, 3501)
      assert.equal(closed.reason, 'bad request')
      await stillServing()
    })
  }

  it('takes only the empty object {} as a pong: a ping answered with {} keeps the connection', async () => {
    const raw = await open()
    raw.autoPong = false
    await raw.connect()
    await until(() => raw.pings === 1, 2000, 'first ping')
    raw.send('{}')
    raw.autoPong = true
    await sleep(400) // past pongTimeoutMs (250) and a tick
    raw.send('{"subscribe":{"channel":"chat:pong"},"id":2}')
    assert.equal((await raw.reply(2))['error'], undefined, 'still connected and served')
    raw.close()
  })

  for (const [name, line] of [
    ['an unknown request without an id', '{"foo":1}'],
    ['a request whose only field is null, without an id', '{"publish":null}'],
    ['id 0 alone', '{"id":0}'],
  ] as const) {
    it(`closes with 3501 on ${name} instead of taking it as a pong`, async () => {
      const raw = await open()
      raw.autoPong = false
      await raw.connect()
      await until(() => raw.pings === 1, 2000, 'first ping')
      raw.send(line)
      const closed = await Promise.race([raw.closed, sleep(1500).then(() => ({ code: -1, reason: 'still open' }))])
      assert.equal(closed.code, 3501)
      await stillServing()
    })
  }

  it('processes a batched frame in order and echoes ids; blank lines are skipped', async () => {
    const raw = await open()
    raw.send('\n{"connect":{"name":"raw"},"id":7}\n\n{"subscribe":{"channel":"chat:batch","recoverable":true,"flag":1},"id":8}\n{"publish":{"channel":"chat:batch","data":{"x":1}},"id":9}\n')
    await raw.reply(9)
    const ids = raw.lines.filter((line) => line['id'] !== undefined).map((line) => line['id'])
    assert.deepEqual(ids, [7, 8, 9])
    const connect = raw.lines.find((line) => line['id'] === 7)?.['connect']
    assert.equal(connect.ping, 1)
    assert.equal(connect.pong, true)
    const subscribe = raw.lines.find((line) => line['id'] === 8)?.['subscribe']
    assert.equal(subscribe.recoverable, true)
    assert.equal(subscribe.offset, undefined, 'offset 0 is omitted')
    assert.deepEqual(raw.lines.find((line) => line['id'] === 9), { id: 9, publish: {} })
    await until(() => raw.pushes().length === 1, 2000, 'publication push')
    const push = raw.pushes()[0] as Record<string, any>
    assert.equal(push['channel'], 'chat:batch')
    assert.deepEqual(push['pub'].data, { x: 1 })
    assert.equal(push['pub'].offset, 1)
    const pushLine = raw.lines.find((line) => line['push'] !== undefined) as Record<string, unknown>
    assert.equal(pushLine['id'], undefined, 'pushes carry no id')
    raw.close()
  })

  it('answers error replies without closing: 102 unknown channel, 105 already subscribed, 108 ping command', async () => {
    const raw = await open()
    await raw.connect()
    raw.send('{"subscribe":{"channel":"nowhere:x"},"id":2}\n{"subscribe":{"channel":"chat:dup"},"id":3}\n{"subscribe":{"channel":"chat:dup"},"id":4}\n{"ping":{},"id":5}')
    assert.equal((await raw.reply(2))['error'].code, 102)
    assert.deepEqual(await raw.reply(3), { id: 3, subscribe: { recoverable: true, positioned: true, epoch: (await raw.reply(3))['subscribe'].epoch } })
    assert.equal((await raw.reply(4))['error'].code, 105)
    assert.equal((await raw.reply(5))['error'].code, 108)
    raw.send('{"presence_stats":{"channel":"chat:dup"},"id":6}')
    assert.deepEqual((await raw.reply(6))['presence_stats'], { num_clients: 1, num_users: 1 })
    raw.close()
  })

  it('answers 112 to a recover it cannot serve when the client asked to reject unrecovered (flag 2), 107 to reverse history from offset 0', async () => {
    const raw = await open()
    await raw.connect()
    raw.send('{"subscribe":{"channel":"chat:strict","recover":true,"offset":5,"epoch":"gone","flag":3},"id":2}')
    assert.equal((await raw.reply(2))['error'].code, 112)
    raw.send('{"subscribe":{"channel":"chat:strict","recover":true,"offset":5,"epoch":"gone","flag":1},"id":3}')
    const lenient = (await raw.reply(3))['subscribe']
    assert.equal(lenient.was_recovering, true)
    assert.equal(lenient.recovered, undefined, 'recovered: false is omitted')
    raw.send('{"history":{"channel":"chat:strict","since":{"offset":0},"reverse":true,"limit":5},"id":4}')
    assert.equal((await raw.reply(4))['error'].code, 107)
    raw.close()
  })

  it('pings every interval; a client that answers stays, one that does not is closed with 3012', async () => {
    const good = await open()
    const bad = await open()
    bad.autoPong = false
    await good.connect()
    await bad.connect()
    const closed = await bad.closed
    assert.equal(closed.code, 3012)
    assert.ok(bad.pings >= 1)
    assert.ok(good.pings >= 1)
    assert.equal(good.ws.readyState, good.ws.OPEN)
    good.close()
  })

  it('closes a connection that never connects with 3502', async () => {
    const raw = await open()
    const closed = await raw.closed
    assert.equal(closed.code, 3502)
  })

  it('closes with 1009 on a message above 64 KiB', async () => {
    const raw = await open()
    await raw.connect()
    raw.send(JSON.stringify({ publish: { channel: 'chat:big', data: 'x'.repeat(70_000) }, id: 2 }))
    assert.equal((await raw.closed).code, 1009)
  })

  it('rate limits commands with 111, and closes sustained abuse with 3013', async () => {
    const raw = await open()
    await raw.connect()
    const burst = Array.from({ length: 30 }, (_, i) => JSON.stringify({ presence_stats: { channel: 'chat:rate' }, id: 10 + i }))
    raw.send(burst.join('\n'))
    await raw.reply(39)
    const errors = raw.lines.filter((line) => line['error']?.code === 111)
    assert.ok(errors.length >= 9, `${errors.length} refused`)
    assert.equal(errors[0]?.['error'].temporary, true)
    const flood = Array.from({ length: 60 }, (_, i) => JSON.stringify({ presence_stats: { channel: 'chat:rate' }, id: 100 + i }))
    raw.send(flood.join('\n'))
    assert.equal((await raw.closed).code, 3013)
    await stillServing()
  })

  it('send without a handler closes with 3508', async () => {
    const raw = await open()
    await raw.connect()
    raw.send('{"send":{"data":{"a":1}}}')
    assert.equal((await raw.closed).code, 3508)
  })

  it('control messages: server-side subscribe and unsubscribe pushes, refresh expiry, disconnect', async () => {
    const token = await connectionToken('ctl')
    const a = await open()
    const b = await open()
    await a.connect(1, { token })
    const bConnect = await b.connect(1, { token })
    await server.hub.broadcastControl({ kind: 'subscribe', user: 'ctl', channel: 'chat:ctl', data: { why: 'api' } })
    await until(() => a.pushes().some((p) => p['subscribe']) && b.pushes().some((p) => p['subscribe']), 2000, 'subscribe pushes')
    const subscribePush = a.pushes().find((p) => p['subscribe']) as Record<string, any>
    assert.equal(subscribePush['channel'], 'chat:ctl')
    assert.deepEqual(subscribePush['subscribe'].data, { why: 'api' })
    await server.hub.publish('chat:ctl', { data: '"after"' })
    await until(() => a.pushes().some((p) => p['pub']), 2000, 'publication on the server-side channel')

    await server.hub.broadcastControl({ kind: 'unsubscribe', user: 'ctl', channel: 'chat:ctl', client: bConnect['connect'].client })
    await until(() => b.pushes().some((p) => p['unsubscribe']), 2000, 'unsubscribe push')
    const unsubscribePush = b.pushes().find((p) => p['unsubscribe']) as Record<string, any>
    assert.deepEqual(unsubscribePush['unsubscribe'], { code: 2000, reason: 'server unsubscribe' })
    assert.equal(a.pushes().some((p) => p['unsubscribe']), false, 'only the named client')

    await server.hub.broadcastControl({ kind: 'refresh', user: 'ctl', client: bConnect['connect'].client, expired: true })
    assert.equal((await b.closed).code, 3005)

    await server.hub.broadcastControl({ kind: 'disconnect', user: 'ctl' })
    const closed = await a.closed
    assert.equal(closed.code, 3503)
    assert.equal(closed.reason, 'force disconnect')
  })

  it('closes with 3505 when the token names more server-side channels than a connection may hold', async () => {
    const channels = Array.from({ length: 130 }, (_, i) => `chat:many-${i}`)
    const raw = await open()
    raw.send(JSON.stringify({ connect: { token: await connectionToken('greedy', { channels }) }, id: 1 }))
    assert.equal((await raw.closed).code, 3505)
    await stillServing()
  })

  it('a user id that cannot name a personal channel connects without one', async () => {
    const raw = await open()
    const result = await raw.connect(1, { token: await connectionToken('u'.repeat(300)) })
    assert.equal(result['connect'].subs, undefined)
    raw.close()
  })

  it('ignores a malformed control message and keeps going', async () => {
    const raw = await open()
    await raw.connect()
    await server.hub.broadcastControl({ kind: 'disconnect', user: 42 })
    await server.hub.broadcastControl({ kind: 'disconnect', user: '', code: 1000 })
    await sleep(100)
    assert.equal(raw.ws.readyState, raw.ws.OPEN)
    await server.hub.broadcastControl({ kind: 'disconnect', user: '', code: 4000, reason: 'go away' })
    const closed = await raw.closed
    assert.deepEqual(closed, { code: 4000, reason: 'go away' })
  })
})
