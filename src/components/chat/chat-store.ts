/** The chat's `ChatStore`: profiles, rooms, direct chats and read marks in SQLite. */
import Database from 'better-sqlite3'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { dmChannel, roomChannel } from './chat-channels.js'

/** What everyone sees of a user. */
export type Profile = { id: string; name: string; color: string; initials: string }
export type Room = { id: string; title: string; createdBy: string; createdMs: number }
/** A direct conversation as one of its two users sees it. */
export type DirectChat = { channel: string; peer: string; createdMs: number; lastMs: number }
/** Where a user stopped reading a channel (the offset of the last publication seen). */
export type ReadMark = { channel: string; offset: number; epoch: string }

const schema = `
CREATE TABLE IF NOT EXISTS chat_users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, color TEXT NOT NULL, initials TEXT NOT NULL,
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chat_rooms (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, created_by TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chat_members (
  room_id TEXT NOT NULL REFERENCES chat_rooms(id), user_id TEXT NOT NULL, joined_ms INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id));
CREATE TABLE IF NOT EXISTS chat_dms (
  channel TEXT PRIMARY KEY, user_a TEXT NOT NULL, user_b TEXT NOT NULL,
  created_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS chat_dms_a ON chat_dms(user_a);
CREATE INDEX IF NOT EXISTS chat_dms_b ON chat_dms(user_b);
CREATE TABLE IF NOT EXISTS chat_reads (
  user_id TEXT NOT NULL, channel TEXT NOT NULL, offset INTEGER NOT NULL, epoch TEXT NOT NULL,
  PRIMARY KEY (user_id, channel));
`

type UserRow = { id: string; name: string; color: string; initials: string }
type RoomRow = { id: string; title: string; created_by: string; created_ms: number }
type DmRow = { channel: string; user_a: string; user_b: string; created_ms: number; last_ms: number }

type Statement = Database.Statement<unknown[], unknown>

/** Read marks kept per user unless the store is opened with another limit. */
export const defaultMaxReadMarksPerUser = 1000

export type ChatStoreOptions = {
  /**
   * Most read marks one user keeps. Marking a further channel drops the user's earliest-created
   * marks (those channels then count as unread once); leaving a room drops its mark.
   */
  maxReadMarksPerUser?: number
}

/**
 * The chat's durable state in SQLite: profiles, rooms, memberships, DM lists and read marks.
 * Messages are not here: they are the hub's channel history. Every method is synchronous and
 * atomic (one statement or one transaction); writes are durable when the call returns.
 * Statements are prepared once, when the store opens.
 */
export class ChatStore {
  #db: Database.Database
  #sql: Record<keyof typeof statements, Statement>
  readonly #maxReadMarksPerUser: number
  readonly #leave: (userId: string, roomId: string) => boolean
  readonly #markRead: (userId: string, mark: ReadMark) => void

  /** Opens (creating if needed) the database file; `':memory:'` for a throwaway store. */
  constructor(file: string, options: ChatStoreOptions = {}) {
    this.#maxReadMarksPerUser = options.maxReadMarksPerUser ?? defaultMaxReadMarksPerUser
    if (file !== ':memory:') {
      // Private to the server's user (direct messages are inside); SQLite's -wal and -shm files
      // take the database file's mode.
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      closeSync(openSync(file, 'a', 0o600))
    }
    this.#db = new Database(file)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('synchronous = NORMAL')
    this.#db.pragma('busy_timeout = 5000')
    this.#db.exec(schema)
    const db = this.#db
    this.#sql = Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof statements, Statement>
    this.#leave = this.#db.transaction((userId: string, roomId: string) => {
      this.#sql.dropRead.run(userId, roomChannel(roomId))
      return this.#sql.leave.run(roomId, userId).changes === 1
    })
    this.#markRead = this.#db.transaction((userId: string, mark: ReadMark) => {
      this.#sql.markRead.run(userId, mark.channel, mark.offset, mark.epoch)
      const { n } = this.#sql.readCount.get(userId) as { n: number }
      if (n > this.#maxReadMarksPerUser) this.#sql.dropEarliestReads.run(userId, mark.channel, n - this.#maxReadMarksPerUser)
    })
  }

  getProfile(id: string): Profile | undefined {
    const row = this.#sql.getProfile.get(id) as UserRow | undefined
    return row === undefined ? undefined : { ...row }
  }

  getProfiles(ids: readonly string[]): Profile[] {
    const found: Profile[] = []
    for (const id of new Set(ids)) {
      const row = this.#sql.getProfile.get(id) as UserRow | undefined
      if (row !== undefined) found.push({ ...row })
    }
    return found
  }

  /** Users by name, for starting a DM; `query` matches anywhere in the name, case-insensitive. */
  searchProfiles(query: string, limit: number): Profile[] {
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    return (this.#sql.searchProfiles.all(pattern, limit) as UserRow[]).map((row) => ({ ...row }))
  }

  /** Creates or replaces a profile. */
  putProfile(profile: Profile, nowMs: number): void {
    this.#sql.putProfile.run(profile.id, profile.name, profile.color, profile.initials, nowMs, nowMs)
  }

  getRoom(id: string): Room | undefined {
    const row = this.#sql.getRoom.get(id) as RoomRow | undefined
    return row === undefined ? undefined : toRoom(row)
  }

  listRooms(): Room[] {
    return (this.#sql.listRooms.all() as RoomRow[]).map(toRoom)
  }

  /** Inserts the room; false when the id is taken. */
  createRoom(room: Room): boolean {
    return this.#sql.createRoom.run(room.id, room.title, room.createdBy, room.createdMs).changes === 1
  }

  /** Idempotent; true when the user was not a member before. */
  join(userId: string, roomId: string, nowMs: number): boolean {
    return this.#sql.join.run(roomId, userId, nowMs).changes === 1
  }

  /** Idempotent; true when the user was a member. Drops the user's read mark of the room. */
  leave(userId: string, roomId: string): boolean {
    return this.#leave(userId, roomId)
  }

  isMember(userId: string, roomId: string): boolean {
    return this.#sql.isMember.get(roomId, userId) !== undefined
  }

  roomsOf(userId: string): string[] {
    return (this.#sql.roomsOf.all(userId) as { room_id: string }[]).map((row) => row.room_id)
  }

  memberCount(roomId: string): number {
    return (this.#sql.memberCount.get(roomId) as { n: number }).n
  }

  /** Records the DM between two users (idempotent) and returns its channel. */
  openDm(userA: string, userB: string, nowMs: number): string {
    const channel = dmChannel(userA, userB)
    const [first, second] = [userA, userB].sort()
    this.#sql.openDm.run(channel, first, second, nowMs, nowMs)
    return channel
  }

  getDm(channel: string): { users: [string, string] } | undefined {
    const row = this.#sql.getDm.get(channel) as DmRow | undefined
    return row === undefined ? undefined : { users: [row.user_a, row.user_b] }
  }

  touchDm(channel: string, nowMs: number): void {
    this.#sql.touchDm.run(nowMs, channel)
  }

  /** The user's DMs, most recently active first. */
  dmsOf(userId: string): DirectChat[] {
    const rows = this.#sql.dmsOf.all(userId, userId) as DmRow[]
    return rows.map((row) => ({
      channel: row.channel,
      peer: row.user_a === userId ? row.user_b : row.user_a,
      createdMs: row.created_ms,
      lastMs: row.last_ms,
    }))
  }

  /**
   * Moves the read mark forward only (a stale tab cannot mark fewer messages read). A user keeps
   * at most `maxReadMarksPerUser` marks: past it, their earliest-created ones are dropped.
   * Callers check that the channel is the user's.
   */
  markRead(userId: string, mark: ReadMark): void {
    this.#markRead(userId, mark)
  }

  readsOf(userId: string): ReadMark[] {
    return this.#sql.readsOf.all(userId) as ReadMark[]
  }

  close(): void {
    this.#db.close()
  }
}

/** Every statement the store runs, prepared once per store. */
const statements = {
  getProfile: 'SELECT id, name, color, initials FROM chat_users WHERE id = ?',
  searchProfiles: "SELECT id, name, color, initials FROM chat_users WHERE name LIKE ? ESCAPE '\\' ORDER BY updated_ms DESC LIMIT ?",
  putProfile: `INSERT INTO chat_users (id, name, color, initials, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, color = excluded.color,
      initials = excluded.initials, updated_ms = excluded.updated_ms`,
  getRoom: 'SELECT * FROM chat_rooms WHERE id = ?',
  listRooms: 'SELECT * FROM chat_rooms ORDER BY id',
  createRoom: 'INSERT OR IGNORE INTO chat_rooms (id, title, created_by, created_ms) VALUES (?, ?, ?, ?)',
  join: 'INSERT OR IGNORE INTO chat_members (room_id, user_id, joined_ms) VALUES (?, ?, ?)',
  leave: 'DELETE FROM chat_members WHERE room_id = ? AND user_id = ?',
  isMember: 'SELECT 1 FROM chat_members WHERE room_id = ? AND user_id = ?',
  roomsOf: 'SELECT room_id FROM chat_members WHERE user_id = ? ORDER BY room_id',
  memberCount: 'SELECT COUNT(*) AS n FROM chat_members WHERE room_id = ?',
  openDm: 'INSERT OR IGNORE INTO chat_dms (channel, user_a, user_b, created_ms, last_ms) VALUES (?, ?, ?, ?, ?)',
  getDm: 'SELECT * FROM chat_dms WHERE channel = ?',
  touchDm: 'UPDATE chat_dms SET last_ms = ? WHERE channel = ?',
  dmsOf: 'SELECT * FROM chat_dms WHERE user_a = ? OR user_b = ? ORDER BY last_ms DESC',
  markRead: `INSERT INTO chat_reads (user_id, channel, offset, epoch) VALUES (?, ?, ?, ?)
    ON CONFLICT(user_id, channel) DO UPDATE SET offset = excluded.offset, epoch = excluded.epoch
    WHERE excluded.epoch <> chat_reads.epoch OR excluded.offset > chat_reads.offset`,
  readsOf: 'SELECT channel, offset, epoch FROM chat_reads WHERE user_id = ?',
  readCount: 'SELECT COUNT(*) AS n FROM chat_reads WHERE user_id = ?',
  dropRead: 'DELETE FROM chat_reads WHERE user_id = ? AND channel = ?',
  dropEarliestReads: `DELETE FROM chat_reads WHERE rowid IN (
    SELECT rowid FROM chat_reads WHERE user_id = ? AND channel <> ? ORDER BY rowid LIMIT ?)`,
} as const

function toRoom(row: RoomRow): Room {
  return { id: row.id, title: row.title, createdBy: row.created_by, createdMs: row.created_ms }
}
