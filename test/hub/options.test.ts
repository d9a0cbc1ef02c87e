import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { z } from 'zod'
import { channelsOptionsSchema, parseChannelsOptions } from '../../src/hub/options.js'

function issuePaths(input: unknown): string[] {
  const result = channelsOptionsSchema.safeParse(input)
  assert.equal(result.success, false)
  return (result.error as z.ZodError).issues.map((issue) => issue.path.join('.'))
}

describe('channelsOptionsSchema', () => {
  it('fills every default from nothing', () => {
    assert.deepEqual(parseChannelsOptions(), {
      default: {
        historySize: 0,
        historyTtlMs: 0,
        presence: false,
        joinLeave: false,
        allowSubscribe: true,
        allowPublish: 'none',
        allowHistory: 'subscribers',
        allowPresence: 'subscribers',
        recover: true,
        anonymousAccess: false,
        maxPublicationBytes: 0,
        clientPublishesPerSecond: 0,
        clientPublishBurst: 10,
      },
      namespaces: {},
      maxChannelNameLength: 255,
      maxChannelsPerConnection: 128,
      maxHistoryPage: 1000,
      maxPublicationBytes: 65_536,
      presenceTtlMs: 60_000,
      leaveDebounceMs: 1000,
      idempotencyWindowMs: 300_000,
      maxPendingEvents: 10_000,
    })
  })

  it('fills a named namespace from its own defaults, not from default', () => {
    const options = parseChannelsOptions({ default: { presence: true }, namespaces: { chat: { historySize: 5, historyTtlMs: 10 } } })
    assert.equal(options.namespaces.chat?.presence, false)
    assert.equal(options.namespaces.chat?.historySize, 5)
  })

  it('points at the bad field', () => {
    assert.deepEqual(issuePaths({ namespaces: { chat: { historySize: 10 } } }), ['namespaces.chat.historyTtlMs'])
    assert.deepEqual(issuePaths({ default: { historyTtlMs: 10 } }), ['default.historySize'])
    assert.deepEqual(issuePaths({ default: { allowPublish: 'everyone' } }), ['default.allowPublish'])
    assert.deepEqual(issuePaths({ namespaces: { chat: { typo: true } } }), ['namespaces.chat'])
    assert.deepEqual(issuePaths({ maxChannelsPerConnection: 0 }), ['maxChannelsPerConnection'])
    assert.deepEqual(issuePaths({ presenceTtlMs: 10 }), ['presenceTtlMs'])
    assert.equal(issuePaths({ namespaces: { 'bad name': {} } })[0]?.startsWith('namespaces'), true)
  })
})
