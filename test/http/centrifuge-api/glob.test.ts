import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileChannelPattern } from '../../../src/http/centrifuge-api/glob.js'

test('channel patterns: *, ?, classes, alternatives, escapes', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['', ['anything', 'chat:a'], []],
    ['chat:*', ['chat:', 'chat:lobby', 'chat:a:b'], ['news:chat:x', 'chat']],
    ['room-?', ['room-1', 'room-a'], ['room-', 'room-12']],
    ['room-[0-9]', ['room-7'], ['room-x']],
    ['room-[!0-9]', ['room-x'], ['room-7']],
    ['{chat,news}:*', ['chat:a', 'news:b'], ['sport:c']],
    ['a.b', ['a.b'], ['axb']],
    ['\\*', ['*'], ['x']],
    ['#42', ['#42'], ['#420']],
  ]
  for (const [pattern, yes, no] of cases) {
    const re = compileChannelPattern(pattern)
    for (const name of yes) assert.ok(re.test(name), `${pattern} should match ${name}`)
    for (const name of no) assert.ok(!re.test(name), `${pattern} should not match ${name}`)
  }
})

test('malformed patterns throw', () => {
  for (const pattern of ['chat:[', '{a,b', 'a}', 'x\\']) assert.throws(() => compileChannelPattern(pattern), SyntaxError, pattern)
})
