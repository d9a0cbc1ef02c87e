/** The chat's rules: rooms, direct messages, profiles, read marks, publishing through the hub. */
import { ErrorReason, PeerError } from '../../errors.js'
import type { HubApi } from '../../hub/types.js'
import { dmUsers, lobbyChannel, personalChannel, roomOf, slugify, userIdPattern } from './chat-channels.js'
import { chatInput, decode, displayName, profileColors } from './chat-input.js'
import type { ChatOptions } from './chat-options.js'
import type { ChatStore, DirectChat, Profile, ReadMark, Room } from './chat-store.js'
import { SlidingWindowLimit } from './sliding-window-limit.js'

/** Who calls: the authenticated connection, as the RPC layer reports it. */
export type ChatCaller = { userId: string; clientId: string; info?: unknown }

/** A message as it travels in a room or DM channel's publications. */
export type ChatMessage = {
  text: string
  /** Author's user id, from the connection. */
  user: string
  /** Author's name and colour when sent; pages show the current profile when they know it. */
  name: string
  color: string
  /** Server time, milliseconds since the epoch. */
  ts: number
  /** The sender page's id for this message, so it can replace its pending copy. */
  key?: string
}

export type RoomView = Room & { members: number; joined: boolean }
/** Everything a page needs at start: the user, their rooms and DMs, read marks and the profiles shown. */
export type ChatState = {
  me: Profile
  rooms: RoomView[]
  dms: DirectChat[]
  reads: ReadMark[]
  profiles: Profile[]
}

type ServiceOptions = Pick<
  ChatOptions,
  'maxMessageBytes' | 'maxMessagesPerWindow' | 'maxUpdatesPerWindow' | 'rateWindowMs' | 'maxRoomsPerHour' | 'defaultRoom'
>

const hourMs = 3600_000

/**
 * The chat's rules, behind its RPC methods. Every method takes the authenticated caller, so
 * authorship and membership come from the connection, never from what the client claims.
 * Failures are `PeerError`s: `unauthorized` no user, `unknownChannel` unknown room or user,
 * `permissionDenied` not a member of the channel, `limitExceeded` message too long, `badRequest`
 * bad input, `tooManyRequests` rate limited.
 */
export class ChatService {
  readonly #store: ChatStore
  readonly #hub: HubApi
  readonly #options: ServiceOptions
  readonly #sendLimit: SlidingWindowLimit
  readonly #roomLimit: SlidingWindowLimit
  /** Calls that publish to others or search the store: profile updates, joins, leaves, new DMs, searches. */
  readonly #updateLimit: SlidingWindowLimit
  readonly #now: () => number

  constructor(store: ChatStore, hub: HubApi, options: ServiceOptions, now: () => number = Date.now) {
    this.#store = store
    this.#hub = hub
    this.#options = options
    this.#sendLimit = new SlidingWindowLimit(options.maxMessagesPerWindow, options.rateWindowMs)
    this.#roomLimit = new SlidingWindowLimit(options.maxRoomsPerHour, hourMs)
    this.#updateLimit = new SlidingWindowLimit(options.maxUpdatesPerWindow, options.rateWindowMs)
    this.#now = now
    if (options.defaultRoom !== '' && store.getRoom(options.defaultRoom) === undefined) {
      store.createRoom({ id: options.defaultRoom, title: options.defaultRoom, createdBy: '', createdMs: now() })
    }
  }

  /**
   * Creates a user's profile (demo sign-in, or the first call with a token minted elsewhere) and
   * joins them to the default room. Existing profiles are returned unchanged.
   */
  ensureProfile(userId: string, info?: unknown): Profile {
    const existing = this.#store.getProfile(userId)
    if (existing !== undefined) return existing
    const claimed = displayName.safeParse(nameFromInfo(info))
    const name = claimed.success ? claimed.data : `user-${userId.slice(0, 6)}`
    const profile: Profile = { id: userId, name, color: colorFor(userId), initials: initialsOf(name) }
    const nowMs = this.#now()
    this.#store.putProfile(profile, nowMs)
    if (this.#options.defaultRoom !== '' && this.#store.getRoom(this.#options.defaultRoom) !== undefined) {
      this.#store.join(userId, this.#options.defaultRoom, nowMs)
    }
    return profile
  }

  state(caller: ChatCaller): ChatState {
    const me = this.ensureProfile(requireUser(caller), caller.info)
    const dms = this.#store.dmsOf(me.id)
    return {
      me,
      rooms: this.#roomViews(me.id).filter((room) => room.joined),
      dms,
      reads: this.#store.readsOf(me.id),
      profiles: this.#store.getProfiles([me.id, ...dms.map((dm) => dm.peer)]),
    }
  }

  profileGet(caller: ChatCaller, data: unknown): { profiles: Profile[] } {
    requireUser(caller)
    const input = decode(chatInput.profileGet, data)
    if (input.ids === undefined) return { profiles: [this.ensureProfile(caller.userId, caller.info)] }
    return { profiles: this.#store.getProfiles(input.ids) }
  }

  async profileUpdate(caller: ChatCaller, data: unknown): Promise<{ profile: Profile }> {
    const current = this.ensureProfile(requireUser(caller), caller.info)
    const input = decode(chatInput.profileUpdate, data)
    this.#takeUpdate(current.id)
    const name = input.name ?? current.name
    const initials = input.initials ?? (input.name === undefined ? current.initials : initialsOf(name))
    const profile: Profile = { ...current, name, color: input.color ?? current.color, initials }
    this.#store.putProfile(profile, this.#now())
    await this.#publish(lobbyChannel, { type: 'profile', profile })
    return { profile }
  }

  usersSearch(caller: ChatCaller, data: unknown): { profiles: Profile[] } {
    const input = decode(chatInput.usersSearch, data)
    this.#takeUpdate(requireUser(caller))
    return { profiles: this.#store.searchProfiles(input.query.trim(), 30).filter((profile) => profile.id !== caller.userId) }
  }

  roomsList(caller: ChatCaller): { rooms: RoomView[] } {
    return { rooms: this.#roomViews(requireUser(caller)) }
  }

  async roomsCreate(caller: ChatCaller, data: unknown): Promise<{ room: RoomView }> {
    const userId = requireUser(caller)
    const input = decode(chatInput.roomsCreate, data)
    if (!this.#roomLimit.take(userId, this.#now())) throw new PeerError(ErrorReason.tooManyRequests, 'too many rooms created')
    const nowMs = this.#now()
    const base = slugify(input.title)
    let room: Room | undefined
    for (let attempt = 0; attempt < 50 && room === undefined; attempt++) {
      const candidate: Room = { id: attempt === 0 ? base : `${base}-${attempt + 1}`, title: input.title, createdBy: userId, createdMs: nowMs }
      if (this.#store.createRoom(candidate)) room = candidate
    }
    if (room === undefined) throw new PeerError(ErrorReason.limitExceeded, 'no free room id for that title')
    this.#store.join(userId, room.id, nowMs)
    const view: RoomView = { ...room, members: 1, joined: true }
    await this.#publish(lobbyChannel, { type: 'room', room: { ...room, members: 1 } })
    await this.#publish(personalChannel(userId), { type: 'joined', room: view })
    return { room: view }
  }

  async roomsJoin(caller: ChatCaller, data: unknown): Promise<{ room: RoomView }> {
    const userId = requireUser(caller)
    const { roomId } = decode(chatInput.roomRef, data)
    this.#takeUpdate(userId)
    const room = this.#store.getRoom(roomId)
    if (room === undefined) throw new PeerError(ErrorReason.unknownChannel, 'no such room')
    this.#store.join(userId, roomId, this.#now())
    const view: RoomView = { ...room, members: this.#store.memberCount(roomId), joined: true }
    await this.#publish(personalChannel(userId), { type: 'joined', room: view })
    return { room: view }
  }

  async roomsLeave(caller: ChatCaller, data: unknown): Promise<{ left: boolean }> {
    const userId = requireUser(caller)
    const { roomId } = decode(chatInput.roomRef, data)
    this.#takeUpdate(userId)
    const left = this.#store.leave(userId, roomId)
    await this.#publish(personalChannel(userId), { type: 'left', roomId })
    return { left }
  }

  async dmOpen(caller: ChatCaller, data: unknown): Promise<{ dm: DirectChat; peer: Profile }> {
    const userId = requireUser(caller)
    this.ensureProfile(userId, caller.info)
    const input = decode(chatInput.dmOpen, data)
    if (input.userId === userId) throw new PeerError(ErrorReason.badRequest, 'cannot message yourself')
    const peer = this.#store.getProfile(input.userId)
    if (peer === undefined) throw new PeerError(ErrorReason.unknownChannel, 'no such user')
    const known = this.#store.dmsOf(userId).find((dm) => dm.peer === peer.id)
    if (known !== undefined) return { dm: known, peer }
    this.#takeUpdate(userId)
    const nowMs = this.#now()
    const channel = this.#store.openDm(userId, peer.id, nowMs)
    const dm: DirectChat = { channel, peer: peer.id, createdMs: nowMs, lastMs: nowMs }
    const me = this.#store.getProfile(userId)
    await this.#publish(personalChannel(userId), { type: 'dm', dm, profile: peer })
    await this.#publish(personalChannel(peer.id), { type: 'dm', dm: { ...dm, peer: userId }, profile: me })
    return { dm, peer }
  }

  dmList(caller: ChatCaller): { dms: DirectChat[]; profiles: Profile[] } {
    const dms = this.#store.dmsOf(requireUser(caller))
    return { dms, profiles: this.#store.getProfiles(dms.map((dm) => dm.peer)) }
  }

  /**
   * Publishes a message to a room the caller is a member of, or a DM they are part of, stamped
   * with the caller's profile and the server's time.
   */
  async send(caller: ChatCaller, data: unknown): Promise<{ offset: number; epoch: string }> {
    const userId = requireUser(caller)
    const input = decode(chatInput.send, data)
    const text = input.text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim()
    if (text === '') throw new PeerError(ErrorReason.badRequest, 'empty message')
    if (Buffer.byteLength(text, 'utf8') > this.#options.maxMessageBytes) throw new PeerError(ErrorReason.limitExceeded, 'message too long')
    this.#checkCanPost(userId, input.channel)
    if (!this.#sendLimit.take(userId, this.#now())) throw new PeerError(ErrorReason.tooManyRequests, 'too many messages, slow down')
    const author = this.ensureProfile(userId, caller.info)
    const message: ChatMessage = { text, user: userId, name: author.name, color: author.color, ts: this.#now() }
    if (input.key !== undefined) message.key = input.key
    const request = input.key === undefined ? { data: JSON.stringify(message) } : { data: JSON.stringify(message), idempotencyKey: `${userId}:${input.key}` }
    const result = await this.#hub.publish(input.channel, request)
    if (dmUsers(input.channel) !== undefined) this.#store.touchDm(input.channel, message.ts)
    return { offset: result.offset, epoch: result.epoch }
  }

  /** Stores where the caller stopped reading a room they are a member of or a DM of theirs (else `permissionDenied`). */
  readMark(caller: ChatCaller, data: unknown): { ok: true } {
    const userId = requireUser(caller)
    const mark = decode(chatInput.readMark, data)
    if (!this.#isOwnConversation(userId, mark.channel)) throw new PeerError(ErrorReason.permissionDenied, 'not your conversation')
    this.#store.markRead(userId, mark)
    return { ok: true }
  }

  #checkCanPost(userId: string, channel: string): void {
    const roomId = roomOf(channel)
    if (roomId !== undefined) {
      if (this.#store.getRoom(roomId) === undefined) throw new PeerError(ErrorReason.unknownChannel, 'no such room')
      if (!this.#store.isMember(userId, roomId)) throw new PeerError(ErrorReason.permissionDenied, 'join the room first')
      return
    }
    const users = dmUsers(channel)
    if (users === undefined) throw new PeerError(ErrorReason.permissionDenied, 'not a chat channel')
    if (!users.includes(userId)) throw new PeerError(ErrorReason.permissionDenied, 'not your conversation')
    if (this.#store.getDm(channel) === undefined) throw new PeerError(ErrorReason.permissionDenied, 'open the conversation first')
  }

  /** A room the user is a member of, or an opened DM they are one of the two users of. */
  #isOwnConversation(userId: string, channel: string): boolean {
    const roomId = roomOf(channel)
    if (roomId !== undefined) return this.#store.isMember(userId, roomId)
    const users = dmUsers(channel)
    return users !== undefined && users.includes(userId) && this.#store.getDm(channel) !== undefined
  }

  #roomViews(userId: string): RoomView[] {
    const joined = new Set(this.#store.roomsOf(userId))
    return this.#store.listRooms().map((room) => ({ ...room, members: this.#store.memberCount(room.id), joined: joined.has(room.id) }))
  }

  #takeUpdate(userId: string): void {
    if (!this.#updateLimit.take(userId, this.#now())) throw new PeerError(ErrorReason.tooManyRequests, 'too many changes, slow down')
  }

  async #publish(channel: string, event: unknown): Promise<void> {
    await this.#hub.publish(channel, { data: JSON.stringify(event) })
  }
}

function requireUser(caller: ChatCaller): string {
  if (caller.userId === '' || !userIdPattern.test(caller.userId)) throw new PeerError(ErrorReason.unauthorized, 'sign in first')
  return caller.userId
}

function nameFromInfo(info: unknown): unknown {
  if (typeof info === 'string') {
    try {
      return nameFromInfo(JSON.parse(info))
    } catch {
      return undefined
    }
  }
  return typeof info === 'object' && info !== null ? (info as { name?: unknown }).name : undefined
}

/** Up to two letters: first letters of the first two words, or the first two of one word. */
function initialsOf(name: string): string {
  const words = name.split(/\s+/).map((word) => [...word].filter((ch) => /[\p{L}\p{N}]/u.test(ch))).filter((letters) => letters.length > 0)
  const first = words[0] ?? ['?']
  const letters = words.length > 1 ? [first[0], words[1]?.[0]] : first.slice(0, 2)
  return letters.join('').toUpperCase()
}

/** A stable colour per user id, so a new user gets a varied one before choosing. */
function colorFor(userId: string): string {
  let hash = 0
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
  return profileColors[hash % profileColors.length] ?? profileColors[0]
}
