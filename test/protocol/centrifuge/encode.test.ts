import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeServerMessage, encodePush, reconnects, splitFrame } from '../../../src/protocol/centrifuge/index.js'

describe('encodeServerMessage', () => {
  it('encodes a connect result with server-side subs and omits zero values', () => {
    const text = encodeServerMessage({
      type: 'result',
      id: 1,
      result: {
        type: 'connect',
        body: {
          client: 'c-1',
          version: '0.1.0',
          expires: true,
          ttlSeconds: 60,
          pingSeconds: 25,
          pong: true,
          subs: { '#42': { recoverable: true, positioned: true, epoch: 'E', offset: 3 } },
        },
      },
    })
    assert.deepEqual(JSON.parse(text), {
      id: 1,
      connect: {
        client: 'c-1',
        version: '0.1.0',
        expires: true,
        ttl: 60,
        ping: 25,
        pong: true,
        subs: { '#42': { recoverable: true, positioned: true, epoch: 'E', offset: 3 } },
      },
    })
  })

  it('always writes result objects, even empty ones', () => {
    assert.equal(encodeServerMessage({ type: 'result', id: 2, result: { type: 'subscribe', body: {} } }), '{"id":2,"subscribe":{}}')
    assert.equal(encodeServerMessage({ type: 'result', id: 3, result: { type: 'publish' } }), '{"id":3,"publish":{}}')
    assert.equal(encodeServerMessage({ type: 'result', id: 4, result: { type: 'presence', presence: {} } }), '{"id":4,"presence":{"presence":{}}}')
    assert.equal(
      encodeServerMessage({ type: 'result', id: 5, result: { type: 'presence_stats', numClients: 0, numUsers: 0 } }),
      '{"id":5,"presence_stats":{"num_clients":0,"num_users":0}}',
    )
  })

  it('encodes a recovered subscribe with publications', () => {
    const text = encodeServerMessage({
      type: 'result',
      id: 11,
      result: {
        type: 'subscribe',
        body: {
          recoverable: true,
          positioned: true,
          epoch: 'EP',
          offset: 6,
          recovered: true,
          wasRecovering: true,
          publications: [{ data: '{"text":"missed-7"}', offset: 7, info: { user: '', client: 'c', connInfo: '{"n":1}' }, tags: { k: 'v' } }],
        },
      },
    })
    assert.deepEqual(JSON.parse(text), {
      id: 11,
      subscribe: {
        recoverable: true,
        positioned: true,
        epoch: 'EP',
        offset: 6,
        recovered: true,
        was_recovering: true,
        publications: [{ data: { text: 'missed-7' }, offset: 7, info: { user: '', client: 'c', conn_info: { n: 1 } }, tags: { k: 'v' } }],
      },
    })
  })

  it('encodes errors with temporary only when set', () => {
    assert.deepEqual(JSON.parse(encodeServerMessage({ type: 'error', id: 9, error: { code: 104, message: 'method not found' } })), {
      id: 9,
      error: { code: 104, message: 'method not found' },
    })
    assert.deepEqual(JSON.parse(encodeServerMessage({ type: 'error', id: 9, error: { code: 100, message: 'x', temporary: true } })).error, {
      code: 100,
      message: 'x',
      temporary: true,
    })
  })

  it('encodes pushes without ids, and the ping as {}', () => {
    assert.deepEqual(JSON.parse(encodePush({ type: 'pub', channel: 'c', publication: { data: '[1]', offset: 6 } })), {
      push: { channel: 'c', pub: { data: [1], offset: 6 } },
    })
    assert.deepEqual(JSON.parse(encodePush({ type: 'join', channel: 'c', info: { user: '43', client: 'x' } })), {
      push: { channel: 'c', join: { info: { user: '43', client: 'x' } } },
    })
    assert.deepEqual(JSON.parse(encodePush({ type: 'unsubscribe', channel: 'c', code: 2000, reason: 'server unsubscribe' })), {
      push: { channel: 'c', unsubscribe: { code: 2000, reason: 'server unsubscribe' } },
    })
    assert.deepEqual(JSON.parse(encodePush({ type: 'disconnect', code: 3503, reason: 'force disconnect' })), {
      push: { disconnect: { code: 3503, reason: 'force disconnect' } },
    })
    assert.equal(encodeServerMessage({ type: 'ping' }), '{}')
  })

  it('never emits a raw newline, even for pretty-printed payload text', () => {
    const text = encodePush({ type: 'pub', channel: 'a\nb', publication: { data: '{\n  "x": "1\\n2"\n}' } })
    assert.equal(splitFrame(text).length, 1)
    assert.deepEqual(JSON.parse(text), { push: { channel: 'a\nb', pub: { data: { x: '1\n2' } } } })
  })
})

describe('reconnects', () => {
  it('follows the client rule', () => {
    for (const code of [1000, 1001, 1011, 3001, 3005, 3008, 3012, 3013, 4000]) assert.equal(reconnects(code), true, String(code))
    for (const code of [1009, 3500, 3501, 3502, 3503, 3999, 4500]) assert.equal(reconnects(code), false, String(code))
  })
})
