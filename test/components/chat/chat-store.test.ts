import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

  it('creates its directory 0700 and its database and -wal files 0600, whatever the umask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-chat-store-'))
    const previous = process.umask(0o022)
    try {
      const store = new ChatStore(join(dir, 'data', 'chat.db'))
      const mode = (name: string): number => statSync(join(dir, 'data', name)).mode & 0o777
      assert.equal(mode(''), 0o700)
      assert.equal(mode('chat.db'), 0o600)
      assert.equal(mode('chat.db-wal'), 0o600)
      store.close()
    } finally {
      process.umask(previous)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
