import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DisconnectReason, ErrorReason, PeerError } from '../../../src/errors.js'
import { decodeCommand, splitFrame } from '../../../src/protocol/centrifuge/decode.js'

function rejects(line: string): void {
  assert.throws(
    () => decodeCommand(line),
    (error: unknown) => error instanceof PeerError && error.reason === ErrorReason.badRequest && error.disconnect === DisconnectReason.badRequest,
    line,
  )
}

describe('splitFrame', () => {
  it('splits on newlines and skips blank lines', () => {
    assert.deepEqual(splitFrame('\n{"a":1}\n\n  \n{"b":2}'), ['{"a":1}', '{"b":2}'])
    assert.deepEqual(splitFrame('{}'), ['{}'])
    assert.deepEqual(splitFrame('  '), [])
  })
})

describe('decodeCommand', () => {
  it('decodes a connect as centrifuge-js sends it', () => {
    const command = decodeCommand('{"connect":{"token":"T","data":{"app":"demo"},"name":"js","version":"1.2.3"},"id":1}')
    assert.deepEqual(command, { type: 'connect', id: 1, token: 'T', data: '{"app":"demo"}', subs: {}, name: 'js', version: '1.2.3' })
  })

  it('decodes connect subs recovery', () => {
    const command = decodeCommand('{"connect":{"subs":{"news":{"recover":true,"offset":4,"epoch":"E1"}}},"id":10}')
    assert.equal(command.type, 'connect')
    if (command.type !== 'connect') return
    assert.deepEqual(command.subs, { news: { recover: true, offset: 4, epoch: 'E1' } })
    assert.equal(command.token, '')
  })

  it('decodes a recovering subscribe and ignores unknown fields', () => {
    const command = decodeCommand(
      '{"subscribe":{"channel":"chat:index","positioned":true,"recoverable":true,"join_leave":true,"flag":1,"recover":true,"offset":6,"epoch":"EP","future":[1]},"id":11}',
    )
    assert.deepEqual(command, {
      type: 'subscribe',
      id: 11,
      channel: 'chat:index',
      token: '',
      positioned: true,
      recoverable: true,
      joinLeave: true,
      flag: 1,
      recover: { offset: 6, epoch: 'EP' },
    })
  })

  it('keeps payloads as JSON text, null included', () => {
    assert.deepEqual(decodeCommand('{"publish":{"channel":"c","data":{"text":"hi"}},"id":3}'), {
      type: 'publish',
      id: 3,
      channel: 'c',
      data: '{"text":"hi"}',
    })
    assert.deepEqual(decodeCommand('{"publish":{"channel":"c","data":null},"id":3}'), { type: 'publish', id: 3, channel: 'c', data: 'null' })
    assert.deepEqual(decodeCommand('{"send":{"data":"x"}}'), { type: 'send', data: '"x"' })
    assert.deepEqual(decodeCommand('{"rpc":{"method":"m"},"id":8}'), { type: 'rpc', id: 8, method: 'm' })
  })

  it('decodes history with since, limit -1 and reverse', () => {
    assert.deepEqual(decodeCommand('{"history":{"channel":"x","since":{"offset":2,"epoch":"EP"},"limit":-1,"reverse":true},"id":4}'), {
      type: 'history',
      id: 4,
      channel: 'x',
      limit: -1,
      reverse: true,
      since: { offset: 2, epoch: 'EP' },
    })
  })

  it('decodes the rest of the commands', () => {
    assert.deepEqual(decodeCommand('{"unsubscribe":{"channel":"c"},"id":5}'), { type: 'unsubscribe', id: 5, channel: 'c' })
    assert.deepEqual(decodeCommand('{"presence":{"channel":"c"},"id":6}'), { type: 'presence', id: 6, channel: 'c' })
    assert.deepEqual(decodeCommand('{"presence_stats":{"channel":"c"},"id":7}'), { type: 'presence_stats', id: 7, channel: 'c' })
    assert.deepEqual(decodeCommand('{"refresh":{"token":"T2"},"id":9}'), { type: 'refresh', id: 9, token: 'T2' })
    assert.deepEqual(decodeCommand('{"sub_refresh":{"channel":"$p","token":"S"},"id":9}'), { type: 'sub_refresh', id: 9, channel: '$p', token: 'S' })
    assert.deepEqual(decodeCommand('{"ping":{},"id":2}'), { type: 'ping', id: 2 })
    assert.deepEqual(decodeCommand('{}'), { type: 'pong' })
  })

  it('rejects malformed input with 107 / close 3501', () => {
    rejects('{not json')
    rejects('[1,2]')
    rejects('"x"')
    rejects('{"foo":{},"id":3}') // unknown command
    rejects('{"publish":{"channel":"c","data":1}}') // id 0 for a non-send command
    rejects('{"connect":{},"id":4294967296}') // id above uint32
    rejects('{"connect":{},"id":-1}')
    rejects('{"connect":{},"id":1.5}')
    rejects('{"connect":{},"id":"1"}')
    rejects('{"connect":{"token":5},"id":1}')
    rejects('{"connect":"x","id":1}')
    rejects('{"subscribe":{"channel":""},"id":1}')
    rejects('{"subscribe":{"channel":1},"id":1}')
    rejects('{"subscribe":{"channel":"c","recover":"yes"},"id":1}')
    rejects('{"subscribe":{"channel":"c","offset":-3},"id":1}')
    rejects('{"publish":{"channel":"c"},"id":1}')
    rejects('{"history":{"channel":"c","limit":"10"},"id":1}')
    rejects('{"history":{"channel":"c","since":5},"id":1}')
    rejects('{"connect":{"subs":{"a":3}},"id":1}')
  })

  it('rejects a command with two request fields', () => {
    rejects('{"subscribe":{"channel":"a"},"publish":{"channel":"b","data":1},"id":1}')
    rejects('{"send":{"data":1},"rpc":{"method":"m"},"id":1}')
    // null is an absent field (protobuf JSON), so one request field remains
    assert.deepEqual(decodeCommand('{"ping":{},"publish":null,"id":2}'), { type: 'ping', id: 2 })
  })

  it('refuses JSON nested deeper than 64 levels before parsing it, counting no brackets inside strings', () => {
    const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels)
    rejects(`{"publish":{"channel":"c","data":${deep(20_000)}},"id":1}`)
    rejects(`{"publish":{"channel":"c","data":${deep(64)}},"id":1}`) // 64 + the command object
    const atLimit = decodeCommand(`{"publish":{"channel":"c","data":${deep(62)}},"id":1}`)
    assert.equal(atLimit.type, 'publish')
    const brackets = decodeCommand(`{"publish":{"channel":"c","data":"${'['.repeat(500)}\\\"{{"},"id":1}`)
    assert.equal(brackets.type, 'publish')
  })
})
