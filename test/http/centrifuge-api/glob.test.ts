import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileChannelPattern, maxChannelPatternLength } from '../../../src/http/centrifuge-api/glob.js'

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
    ['{a,b{c,d}}-*', ['a-1', 'bc-', 'bd-x'], ['b-1', 'bcd-']],
    ['{,x}y', ['y', 'xy'], ['xxy']],
    ['[]]', [']'], ['x']],
    ['[a-cx]?', ['a1', 'c2', 'xx'], ['d1', 'a']],
    ['a,b', ['a,b'], ['a']],
    ['**x', ['x', 'yyx'], ['xy']],
    ['caf?', ['café'], ['cafe\u0301']],
  ]
  for (const [pattern, yes, no] of cases) {
    const re = compileChannelPattern(pattern)
    for (const name of yes) assert.ok(re.test(name), `${pattern} should match ${name}`)
    for (const name of no) assert.ok(!re.test(name), `${pattern} should not match ${name}`)
  }
})

test('malformed and over-long patterns throw', () => {
  for (const pattern of ['chat:[', '{a,b', 'a}', 'x\\', '{a}}', '*'.repeat(maxChannelPatternLength + 1)]) {
    assert.throws(() => compileChannelPattern(pattern), SyntaxError, pattern)
  }
})

test('a pattern crafted to make a backtracking matcher take forever matches in linear time', () => {
  // As a backtracking regular expression, this pattern tries every way of placing its stars:
  // about 255^10 steps on one name. The automaton advances a set of at most 23 states per character.
  const crafted = compileChannelPattern(`${'*a'.repeat(11)}*b`)
  const name = 'a'.repeat(255)
  for (let i = 0; i < 1000; i++) assert.equal(crafted.test(name), false)
  assert.equal(crafted.test(`${name}b`), true)
  const alternatives = compileChannelPattern(`${'{a,a*}'.repeat(40)}b`)
  assert.equal(alternatives.test(name), false)
  assert.equal(alternatives.test(`${'a'.repeat(60)}b`), true)
})
