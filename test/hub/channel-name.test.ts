import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorReason, PeerError } from '../../src/errors.js'
import { parseChannelName, personalChannel, userLimitedChannel } from '../../src/hub/channel-name.js'
import { ChannelOptionsResolver } from '../../src/hub/channel-options.js'
import { parseChannelsOptions } from '../../src/hub/options.js'

function reason(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof PeerError) return error.reason
    throw error
  }
  return undefined
}

describe('parseChannelName', () => {
  it('splits namespace, private prefix and user list', () => {
    assert.deepEqual(parseChannelName('chat:lobby', 255), { name: 'chat:lobby', namespace: 'chat', isPrivate: false, users: undefined, isPersonal: false })
    assert.deepEqual(parseChannelName('lobby', 255), { name: 'lobby', namespace: '', isPrivate: false, users: undefined, isPersonal: false })
    assert.deepEqual(parseChannelName('dm:#alice,bob', 255), { name: 'dm:#alice,bob', namespace: 'dm', isPrivate: false, users: ['alice', 'bob'], isPersonal: false })
    assert.deepEqual(parseChannelName('#42', 255), { name: '#42', namespace: '', isPrivate: false, users: ['42'], isPersonal: true })
    assert.deepEqual(parseChannelName('$chat:secret', 255), { name: '$chat:secret', namespace: 'chat', isPrivate: true, users: undefined, isPersonal: false })
    assert.equal(parseChannelName('news#7,8', 255).isPersonal, false)
    assert.equal(parseChannelName('#7,8', 255).isPersonal, false)
  })

  it('accepts Pusher-style names and the reserved punctuation', () => {
    for (const name of ['private-foo', 'presence-room;1=2@a,b.c', 'private-encrypted-x', 'news:a/b*c&d', 'a', 'x'.repeat(255)]) {
      assert.equal(parseChannelName(name, 255).name, name)
    }
  })

  it('takes the namespace only from before the user list, so user ids may hold a colon', () => {
    const name = parseChannelName('dm:#auth0:1,auth0:2', 255)
    assert.equal(name.namespace, 'dm')
    assert.deepEqual(name.users, ['auth0:1', 'auth0:2'])
    assert.equal(parseChannelName('#a:b', 255).namespace, '')
  })

  it('refuses malformed names (badRequest)', () => {
    const bad = ['', 'x'.repeat(256), 'has space', 'tab\there', 'caf\u00e9', ':x', 'chat:', '$', 'dm:#', 'dm:#a,,b', 'dm:#a,', '#a#b', 'n!s:x', '$:x', 'line\nbreak']
    for (const name of bad) assert.equal(reason(() => parseChannelName(name, 255)), ErrorReason.badRequest, JSON.stringify(name))
  })

  it('honours the configured maximum length', () => {
    assert.equal(reason(() => parseChannelName('abcdef', 5)), ErrorReason.badRequest)
    assert.equal(parseChannelName('abcde', 5).name, 'abcde')
  })
})

describe('personalChannel and userLimitedChannel', () => {
  it('builds names the parser reads back', () => {
    assert.equal(personalChannel('42'), '#42')
    assert.equal(parseChannelName(personalChannel('42'), 255).isPersonal, true)
    assert.equal(userLimitedChannel('dm:', ['bob', 'alice', 'bob']), 'dm:#alice,bob')
  })

  it('refuses ids that cannot be listed', () => {
    assert.equal(reason(() => personalChannel('')), ErrorReason.badRequest)
    assert.equal(reason(() => personalChannel('a,b')), ErrorReason.badRequest)
    assert.equal(reason(() => userLimitedChannel('dm:', [])), ErrorReason.badRequest)
    assert.equal(reason(() => userLimitedChannel('dm:', ['a#b'])), ErrorReason.badRequest)
  })
})

describe('ChannelOptionsResolver', () => {
  const resolver = new ChannelOptionsResolver(
    parseChannelsOptions({ default: { presence: true }, namespaces: { chat: { historySize: 10, historyTtlMs: 1000, joinLeave: true } } }),
  )

  it('gives channels without a namespace the default options', () => {
    const { options } = resolver.resolve('lobby')
    assert.equal(options.presence, true)
    assert.equal(options.historyEnabled, false)
    assert.equal(options.recoverable, false)
    assert.equal(resolver.resolve('#42').options, options)
  })

  it('gives named namespaces their own options, with derived flags', () => {
    const { options } = resolver.resolve('chat:lobby')
    assert.equal(options.historyEnabled, true)
    assert.equal(options.recoverable, true)
    assert.equal(options.presence, false)
    assert.equal(options.tracksPresence, true)
    assert.equal(resolver.resolve('$chat:x').options, options)
    assert.equal(resolver.resolve('chat:#a,b').options, options)
  })

  it('refuses unknown namespaces (unknownChannel) and bad names (badRequest)', () => {
    assert.equal(reason(() => resolver.resolve('nope:x')), ErrorReason.unknownChannel)
    assert.equal(reason(() => resolver.resolve('x:y')), ErrorReason.unknownChannel)
    assert.equal(reason(() => resolver.resolve('chat:')), ErrorReason.badRequest)
  })
})
