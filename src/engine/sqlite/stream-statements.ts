/** The prepared SQL statements `SqliteStreams` runs, in one place. */
import type Database from 'better-sqlite3'
import type { Statement } from 'better-sqlite3'

export type StreamRow = { id: number; epoch: string; top: number; history_size: number; idle_until_ms: number; head_id: number | null }

/** Every chunk of stream @stream, newest first: from its head chunk @head down the `prev_id` chain. */
const WALK_ALL = `
WITH RECURSIVE chain(id, prev_id, last_seq) AS (
  SELECT id, prev_id, last_seq FROM chunks WHERE id = @head AND stream_id = @stream
  UNION ALL
  SELECT c.id, c.prev_id, c.last_seq FROM chain JOIN chunks c ON c.id = chain.prev_id WHERE c.stream_id = @stream
)`

/** Where a stream's chain starts: its head chunk's id and the stream's id. */
export type ChainAt = { head: number; stream: number }

/** Every statement of `SqliteStreams`, prepared once. */
export function prepareStreamStatements(db: Database.Database): StreamStatements {
  return {
    selectStream: db.prepare<[string], StreamRow>('SELECT id, epoch, top, history_size, idle_until_ms, head_id FROM streams WHERE channel = ?'),
    insertStream: db.prepare<[string, string, number]>(
      'INSERT INTO streams (channel, epoch, top, history_size, idle_until_ms) VALUES (?, ?, 0, 0, ?)',
    ),
    updateStream: db.prepare<[number, number, number | null, number]>('UPDATE streams SET top = ?, history_size = ?, head_id = ? WHERE id = ?'),
    updateStreamIdle: db.prepare<[number, number, number | null, number, number]>(
      'UPDATE streams SET top = ?, history_size = ?, head_id = ?, idle_until_ms = ? WHERE id = ?',
    ),
    clearHead: db.prepare<[number]>('UPDATE streams SET head_id = NULL WHERE id = ?'),
    /** After the sweep deleted chunk @stream of stream @head: the stream holds none if that was its head. */
    dropHead: db.prepare<[number, number]>('UPDATE streams SET head_id = NULL WHERE id = ? AND head_id = ?'),
    selectHead: db.prepare<[number, number], { last_seq: number; expires_ms: number }>(
      'SELECT last_seq, expires_ms FROM chunks WHERE id = ? AND stream_id = ?',
    ),
    insertChunk: db.prepare<[number, number | null, number, number, number, string]>(
      'INSERT INTO chunks (stream_id, prev_id, first_seq, last_seq, expires_ms, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    /** A stream's chunks, newest first. */
    walk: db.prepare<[ChainAt], { id: number; last_seq: number }>(`${WALK_ALL} SELECT id, last_seq FROM chain`),
    /** Deletes the chunks whose ids are listed in the JSON array. */
    deleteChunks: db.prepare<[string]>('DELETE FROM chunks WHERE id IN (SELECT value FROM json_each(?))'),
    /** Deletes every chunk of stream @stream (chain from head @head). */
    clear: db.prepare<[ChainAt]>(`${WALK_ALL} DELETE FROM chunks WHERE id IN (SELECT id FROM chain)`),
    /** A chunk's text unless it has wholly expired at ?2. */
    selectBody: db.prepare<[number, number], string>('SELECT body FROM chunks WHERE id = ? AND expires_ms > ?').pluck(),
    selectKey: db
      .prepare<[number, string, number], number>('SELECT seq FROM idempotency WHERE stream_id = ? AND key = ? AND expires_ms > ?')
      .pluck(),
    upsertKey: db.prepare<[number, string, number, number]>(
      'INSERT OR REPLACE INTO idempotency (stream_id, key, seq, expires_ms) VALUES (?, ?, ?, ?)',
    ),
    sweepChunks: db.prepare<[number, number], { id: number; stream_id: number }>(
      'DELETE FROM chunks WHERE id IN (SELECT id FROM chunks WHERE expires_ms <= ? LIMIT ?) RETURNING id, stream_id',
    ),
    sweepKeys: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_ms <= ?'),
    /** Streams the sweep may forget: idle past their deadline, holding no chunks and no keys. */
    idleStreams: db.prepare<[number], { id: number; channel: string }>(
      `SELECT id, channel FROM streams WHERE idle_until_ms <= ? AND head_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE i.stream_id = streams.id)`,
    ),
    /** Deletes the streams whose ids are listed in the JSON array. */
    deleteStreams: db.prepare<[string]>('DELETE FROM streams WHERE id IN (SELECT value FROM json_each(?))'),
  }
}

export type StreamStatements = {
  selectStream: Statement<[string], StreamRow>
  insertStream: Statement<[string, string, number]>
  updateStream: Statement<[number, number, number | null, number]>
  updateStreamIdle: Statement<[number, number, number | null, number, number]>
  clearHead: Statement<[number]>
  dropHead: Statement<[number, number]>
  selectHead: Statement<[number, number], { last_seq: number; expires_ms: number }>
  insertChunk: Statement<[number, number | null, number, number, number, string]>
  walk: Statement<[ChainAt], { id: number; last_seq: number }>
  deleteChunks: Statement<[string]>
  clear: Statement<[ChainAt]>
  selectBody: Statement<[number, number], string>
  selectKey: Statement<[number, string, number], number>
  upsertKey: Statement<[number, string, number, number]>
  sweepChunks: Statement<[number, number], { id: number; stream_id: number }>
  sweepKeys: Statement<[number]>
  idleStreams: Statement<[number], { id: number; channel: string }>
  deleteStreams: Statement<[string]>
}
