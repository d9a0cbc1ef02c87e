import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { ChatStore } from '../../../src/components/chat/chat-store.js'

describe('ChatStore', () => {
  it('prepares its statements once, when it opens, not per call', () => {
    const store = new ChatStore(':memory:')
    const prepare = Database.prototype.prepare
    let prepared = 0
    Database.prototype.prepare = function (this: Database.Database, ...args: Parameters<typeof prepare>) {
      prepared++
      return prepare.apply(this, args)
    } as typeof prepare
    try {
      store.putProfile({ id: 'ann', name: 'Ann', color: '#3b6ea5', initials: 'AN' }, 1)
      store.getProfile('ann')
      store.getProfiles(['ann', 'bob'])
      store.searchProfiles('a', 10)
      store.createRoom({ id: 'r', title: 'R', createdBy: 'ann', createdMs: 1 })
      store.getRoom('r')
      store.listRooms()
      store.join('ann', 'r', 1)
      store.isMember('ann', 'r')
      store.roomsOf('ann')
      store.memberCount('r')
      const channel = store.openDm('ann', 'bob', 1)
      store.getDm(channel)
      store.touchDm(channel, 2)
      store.dmsOf('ann')
      store.markRead('ann', { channel: 'rooms:r', offset: 1, epoch: 'e' })
      store.readsOf('ann')
      store.leave('ann', 'r')
    } finally {
      Database.prototype.prepare = prepare
      store.close()
    }
    assert.equal(prepared, 0)
  })

  it('keeps at most maxReadMarksPerUser marks per user, dropping the earliest-created', () => {
    const store = new ChatStore(':memory:', { maxReadMarksPerUser: 3 })
    try {
      for (const channel of ['rooms:a', 'rooms:b', 'rooms:c', 'rooms:d', 'rooms:e']) store.markRead('ann', { channel, offset: 1, epoch: 'e' })
      store.markRead('ann', { channel: 'rooms:c', offset: 2, epoch: 'e' })
      store.markRead('bob', { channel: 'rooms:a', offset: 1, epoch: 'e' })
      assert.deepEqual(store.readsOf('ann').map((mark) => [mark.channel, mark.offset]).sort(), [['rooms:c', 2], ['rooms:d', 1], ['rooms:e', 1]])
      assert.equal(store.readsOf('bob').length, 1)
    } finally {
      store.close()
    }
  })
})
