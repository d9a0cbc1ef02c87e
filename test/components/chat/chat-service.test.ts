import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { ErrorReason, PeerError } from '../../../src/errors.js'
import { Hub } from '../../../src/hub/hub.js'
import type { FrameEncoder, HubEvent, Subscriber } from '../../../src/hub/types.js'
import { chatNamespaces } from '../../../src/components/chat/chat-namespaces.js'
import { chatOptionsSchema } from '../../../src/components/chat/chat-options.js'
import { ChatService, type ChatCaller } from '../../../src/components/chat/chat-service.js'
import { ChatStore } from '../../../src/components/chat/chat-store.js'

class Recorder implements Subscriber<string> {
  readonly events: HubEvent[] = []
  readonly format = 'json'
  constructor(readonly userId: string, readonly clientId: string) {}
  deliver(_frame: string, event: HubEvent): void {
    this.events.push(event)
  }
  data(): unknown[] {
    return this.events.flatMap((event) => (event.type === 'publication' ? [JSON.parse(event.publication.data)] : []))
  }
}

const encoder: FrameEncoder<string> = { encode: (event) => JSON.stringify(event) }

async function expectCode(promise: unknown, reason: ErrorReason): Promise<void> {
  await assert.rejects(Promise.resolve().then(() => promise), (error: unknown) => error instanceof PeerError && error.reason === reason)
}

function caller(userId: string): ChatCaller {
  return { userId, clientId: `c-${userId}` }
}

describe('ChatService on the real hub and memory engine', () => {
  const options = chatOptionsSchema.parse({ maxMessagesPerWindow: 5, maxMessageBytes: 100 })
  let dir: string
  let hub: Hub
  let store: ChatStore
  let service: ChatService
  let clock = 1_000_000

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprocket-chat-'))
    hub = new Hub(createMemoryEngine(), { namespaces: chatNamespaces(options) })
    hub.registerFormat('json', encoder)
    await hub.start()
    store = new ChatStore(join(dir, 'chat.db'))
    service = new ChatService(store, hub, options, () => clock)
    for (const [id, name] of [['ann', 'Ann Lee'], ['bob', 'Bob'], ['cid', 'Cid']] as const) service.ensureProfile(id, { name })
  })
  after(async () => {
    await hub.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('creates profiles with initials and a palette colour, and joins the default room', () => {
    const state = service.state(caller('ann'))
    assert.equal(state.me.name, 'Ann Lee')
    assert.equal(state.me.initials, 'AL')
    assert.match(state.me.color, /^#[0-9a-f]{6}$/)
    assert.deepEqual(state.rooms.map((room) => room.id), ['general'])
  })

  it('publishes profile changes to the lobby', async () => {
    const watcher = new Recorder('bob', 'c-watch')
    const sub = await hub.subscribe(watcher, 'lobby:events', { info: { user: 'bob', client: 'c-watch' } })
    sub.activate()
    const { profile } = await service.profileUpdate(caller('ann'), { name: 'Ann', color: '#2f8f83' })
    assert.equal(profile.initials, 'AN')
    assert.deepEqual(watcher.data(), [{ type: 'profile', profile }])
    assert.equal(store.getProfile('ann')?.color, '#2f8f83')
    await expectCode(service.profileUpdate(caller('ann'), { color: 'red' }), ErrorReason.badRequest)
    await expectCode(service.profileUpdate(caller('ann'), { name: '   ' }), ErrorReason.badRequest)
    await hub.removeSubscriber(watcher)
  })

  it('stamps the author from the caller, in order, and refuses a claimed author', async () => {
    const { room } = await service.roomsCreate(caller('ann'), { title: 'Design Review!' })
    assert.equal(room.id, 'design-review')
    const second = await service.roomsCreate(caller('bob'), { title: 'design review' })
    assert.equal(second.room.id, 'design-review-2')
    await service.roomsJoin(caller('bob'), { roomId: 'design-review' })
    for (const text of ['one', 'two']) await service.send(caller('bob'), { channel: 'rooms:design-review', text })
    await service.send(caller('ann'), { channel: 'rooms:design-review', text: '  three\r\n' })
    const history = await hub.history('rooms:design-review', { limit: 10 })
    const messages = history.publications.map((p) => JSON.parse(p.data) as { text: string; user: string; name: string })
    assert.deepEqual(messages.map((m) => [m.user, m.text]), [['bob', 'one'], ['bob', 'two'], ['ann', 'three']])
    assert.equal(messages[2]?.name, 'Ann')
    await expectCode(service.send(caller('bob'), { channel: 'rooms:design-review', text: 'x', user: 'ann' }), ErrorReason.badRequest)
  })

  it('refuses non-members, unknown rooms, empty and long messages', async () => {
    await expectCode(service.send(caller('cid'), { channel: 'rooms:design-review', text: 'hi' }), ErrorReason.permissionDenied)
    await expectCode(service.send(caller('cid'), { channel: 'rooms:nope', text: 'hi' }), ErrorReason.unknownChannel)
    await expectCode(service.send(caller('cid'), { channel: 'lobby:events', text: 'hi' }), ErrorReason.permissionDenied)
    await expectCode(service.send(caller('ann'), { channel: 'rooms:general', text: ' \n ' }), ErrorReason.badRequest)
    await expectCode(service.send(caller('ann'), { channel: 'rooms:general', text: 'é'.repeat(51) }), ErrorReason.limitExceeded)
    await expectCode(service.send({ userId: '', clientId: 'anon' }, { channel: 'rooms:general', text: 'hi' }), ErrorReason.unauthorized)
    await expectCode(service.roomsJoin(caller('cid'), { roomId: 'missing' }), ErrorReason.unknownChannel)
  })

  it('limits each user to maxMessagesPerWindow, across their connections', async () => {
    clock += 60_000
    for (let i = 0; i < 5; i++) await service.send({ userId: 'cid', clientId: `tab${i % 2}` }, { channel: 'rooms:general', text: `m${i}` })
    await expectCode(service.send(caller('cid'), { channel: 'rooms:general', text: 'too many' }), ErrorReason.tooManyRequests)
    await service.send(caller('bob'), { channel: 'rooms:general', text: 'others still may' })
    clock += options.rateWindowMs + 1
    await service.send(caller('cid'), { channel: 'rooms:general', text: 'after the window' })
  })

  it('limits the calls that publish to others (profile updates, joins, leaves) to maxUpdatesPerWindow per user', async () => {
    clock += 60_000
    service.ensureProfile('dan', { name: 'Dan' })
    for (let i = 0; i < options.maxUpdatesPerWindow; i++) {
      await service.profileUpdate({ userId: 'dan', clientId: `tab${i % 3}` }, { name: `Dan ${i}` })
    }
    await expectCode(service.profileUpdate(caller('dan'), { name: 'Dan again' }), ErrorReason.tooManyRequests)
    await expectCode(service.roomsJoin(caller('dan'), { roomId: 'general' }), ErrorReason.tooManyRequests)
    await expectCode(Promise.resolve().then(() => service.usersSearch(caller('dan'), { query: 'a' })), ErrorReason.tooManyRequests)
    await service.profileUpdate(caller('bob'), { name: 'Bob' })
    clock += options.rateWindowMs + 1
    await service.roomsJoin(caller('dan'), { roomId: 'general' })
  })

  it('names are plain text: invisible and direction-changing characters go, fullwidth letters fold', async () => {
    clock += 60_000
    const { profile } = await service.profileUpdate(caller('eve'), { name: '\u202eevE\u200b  Ｂob\u2066' })
    assert.equal(profile.name, 'evE Bob')
    await expectCode(service.profileUpdate(caller('eve'), { name: '\u200b\u200b\u202e' }), ErrorReason.badRequest)
    assert.equal((await service.profileUpdate(caller('eve'), { name: 'ناز\u200cنین' })).profile.name, 'ناز\u200cنین', 'ZWNJ stays')
  })

  it('publishes a retried send with the same key once', async () => {
    clock += 60_000
    const first = await service.send(caller('ann'), { channel: 'rooms:general', text: 'once', key: 'k1' })
    const again = await service.send(caller('ann'), { channel: 'rooms:general', text: 'once', key: 'k1' })
    assert.equal(again.offset, first.offset)
  })

  it('opens a DM, tells the peer on their personal channel, and keeps others out', async () => {
    const annTab = new Recorder('ann', 'c-ann-personal')
    ;(await hub.subscribe(annTab, '#ann', { info: { user: 'ann', client: 'c-ann-personal' } })).activate()
    const { dm, peer } = await service.dmOpen(caller('bob'), { userId: 'ann' })
    assert.equal(dm.channel, 'dm:#ann,bob')
    assert.equal(peer.id, 'ann')
    const notice = annTab.data()[0] as { type: string; dm: { channel: string; peer: string }; profile: { id: string } }
    assert.equal(notice.type, 'dm')
    assert.deepEqual([notice.dm.channel, notice.dm.peer, notice.profile.id], ['dm:#ann,bob', 'bob', 'bob'])

    await service.send(caller('bob'), { channel: dm.channel, text: 'psst' })
    assert.deepEqual(service.dmList(caller('ann')).dms.map((d) => [d.channel, d.peer]), [['dm:#ann,bob', 'bob']])
    await expectCode(service.send(caller('cid'), { channel: dm.channel, text: 'me too' }), ErrorReason.permissionDenied)
    await expectCode(service.send(caller('cid'), { channel: 'dm:#bob,cid', text: 'not opened' }), ErrorReason.permissionDenied)
    await expectCode(service.dmOpen(caller('bob'), { userId: 'bob' }), ErrorReason.badRequest)
    await expectCode(service.dmOpen(caller('bob'), { userId: 'nobody' }), ErrorReason.unknownChannel)

    // The hub itself refuses a third user's subscription to the DM channel.
    const cid = new Recorder('cid', 'c-cid')
    await expectCode(hub.subscribe(cid, dm.channel, { info: { user: 'cid', client: 'c-cid' } }), ErrorReason.permissionDenied)
    await hub.removeSubscriber(annTab)
  })

  it('moves read marks forward only, and leaves rooms', async () => {
    service.readMark(caller('bob'), { channel: 'rooms:general', offset: 5, epoch: 'e1' })
    service.readMark(caller('bob'), { channel: 'rooms:general', offset: 3, epoch: 'e1' })
    assert.deepEqual(service.state(caller('bob')).reads, [{ channel: 'rooms:general', offset: 5, epoch: 'e1' }])
    service.readMark(caller('bob'), { channel: 'rooms:general', offset: 2, epoch: 'e2' })
    assert.equal(service.state(caller('bob')).reads[0]?.offset, 2)
    assert.deepEqual(await service.roomsLeave(caller('bob'), { roomId: 'design-review' }), { left: true })
    assert.ok(!service.state(caller('bob')).rooms.some((room) => room.id === 'design-review'))
    service.readMark(caller('bob'), { channel: 'rooms:general', offset: 9, epoch: 'e2' })
    await service.roomsLeave(caller('bob'), { roomId: 'general' })
    assert.deepEqual(service.state(caller('bob')).reads, [], 'leaving a room drops its read mark')
    await expectCode(service.send(caller('bob'), { channel: 'rooms:design-review', text: 'gone' }), ErrorReason.permissionDenied)
  })

  it('stores read marks only for the caller\'s rooms and DMs (103 otherwise)', () => {
    const mark = (channel: string) => ({ channel, offset: 1, epoch: 'e1' })
    for (const channel of ['rooms:design-review', 'rooms:nope', 'lobby:events', 'typing:general', '#cid', 'dm:#ann,bob', 'dm:#bob,cid', 'dm:#cid,zed', 'junk']) {
      assert.throws(() => service.readMark(caller('cid'), mark(channel)), (error: unknown) => error instanceof PeerError && error.reason === ErrorReason.permissionDenied, channel)
    }
    assert.deepEqual(service.state(caller('cid')).reads, [])
    service.readMark(caller('cid'), mark('rooms:general'))
    service.readMark(caller('ann'), mark('dm:#ann,bob'))
    assert.deepEqual(service.state(caller('cid')).reads.map((read) => read.channel), ['rooms:general'])
    assert.ok(service.state(caller('ann')).reads.some((read) => read.channel === 'dm:#ann,bob'))
  })

  it('keeps profiles, rooms, memberships and DMs in the file across a reopen', () => {
    const reopened = new ChatStore(join(dir, 'chat.db'))
    try {
      assert.equal(reopened.getProfile('ann')?.name, 'Ann')
      assert.ok(reopened.getRoom('design-review'))
      assert.ok(reopened.isMember('ann', 'design-review'))
      assert.equal(reopened.dmsOf('ann')[0]?.peer, 'bob')
    } finally {
      reopened.close()
    }
  })

  it('finds people by name for a new DM, not oneself', () => {
    const found = service.usersSearch(caller('cid'), { query: 'b' }).profiles.map((p) => p.id)
    assert.deepEqual(found, ['bob'])
    assert.ok(!service.usersSearch(caller('ann'), {}).profiles.some((p) => p.id === 'ann'))
  })
})
