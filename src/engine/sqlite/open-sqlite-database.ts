/** Opens the SQLite database the engine writes: pragmas, schema and migrations. */
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { DataFileInUseError } from '../engine-errors.js'

/** Bump with a migration step in `migrate` whenever the schema below changes. */
const SCHEMA_VERSION = 2

/**
 * Publications are appended as chunks (see publication-chunk.ts), each linked to its stream's
 * previous chunk; the stream row points at the newest. There is deliberately no index on
 * `chunks (stream_id, …)`: with many channels per transaction, such an index has every one of its
 * pages rewritten by every commit (each channel appends at its own place in it), which made it the
 * largest cost of a group commit. Appends touch the end of `chunks`, the end of `chunks_expiry`
 * and the small `streams` rows instead; reads and trims walk a stream's chain from its head.
 */
const SCHEMA_V2 = `
CREATE TABLE streams (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL UNIQUE,
  epoch TEXT NOT NULL,
  top INTEGER NOT NULL,
  -- the latest publish's historySize: reads show at most this many, storage is trimmed lazily
  history_size INTEGER NOT NULL,
  -- the stream (meta included) may be forgotten after this, once it holds no chunks
  idle_until_ms INTEGER NOT NULL,
  -- the newest chunk, NULL when the stream holds none
  head_id INTEGER
);
CREATE INDEX streams_idle ON streams (idle_until_ms);

-- A stream's publications from one transaction, encoded as in publication-chunk.ts.
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL,
  -- the stream's previous chunk (NULL for its first, or once that was deleted)
  prev_id INTEGER,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  -- when the last of its publications and of every older chunk of the stream expires, so a chain
  -- is only ever cut from its old end
  expires_ms INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX chunks_expiry ON chunks (expires_ms);

CREATE TABLE idempotency (
  stream_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (stream_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_expiry ON idempotency (expires_ms);
`

/** Version 1 found a stream's chunks through an index on `chunks (stream_id, last_seq)`. */
const MIGRATE_V1_TO_V2 = `
ALTER TABLE streams ADD COLUMN head_id INTEGER;
ALTER TABLE chunks ADD COLUMN prev_id INTEGER;
UPDATE chunks SET prev_id = (
  SELECT p.id FROM chunks p WHERE p.stream_id = chunks.stream_id AND p.last_seq < chunks.last_seq ORDER BY p.last_seq DESC LIMIT 1
);
UPDATE streams SET head_id = (SELECT c.id FROM chunks c WHERE c.stream_id = streams.id ORDER BY c.last_seq DESC LIMIT 1);
UPDATE chunks SET expires_ms = (
  SELECT max(p.expires_ms) FROM chunks p WHERE p.stream_id = chunks.stream_id AND p.last_seq <= chunks.last_seq
);
DROP INDEX chunks_stream;
`

export type SqliteSynchronous = 'normal' | 'full'

/**
 * Opens (creating if needed) the engine's database file and brings its schema up to date.
 *
 * - WAL journal: a commit is one sequential append to the WAL file.
 * - `synchronous`: with `normal`, a commit is handed to the OS before it returns, so it survives
 *   the process being killed (kill -9) but not a power loss or OS crash; `full` also fsyncs the
 *   WAL on every commit (one fsync per group-commit batch).
 * - Exclusive locking: the process holds the file for as long as it is open. Offsets and epochs
 *   are cached in memory, so a second process writing the same file would corrupt streams; with
 *   the lock it fails to open instead (SQLITE_BUSY). Side effect: other tools cannot read the
 *   file while Sprocket runs.
 */
export type OpenSqliteOptions = {
  synchronous: SqliteSynchronous
  /** How long to wait for another process's lock on the file before failing. */
  busyTimeoutMs: number
  /** Caps the database file; writes past it fail with SQLITE_FULL. Undefined: no cap. */
  maxFileBytes: number | undefined
}

export function openSqliteDatabase(file: string, options: OpenSqliteOptions): Database.Database {
  const { synchronous, busyTimeoutMs, maxFileBytes } = options
  // Private to the server's user: SQLite gives its -wal and -shm files the database file's mode.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  closeSync(openSync(file, 'a', 0o600))
  const db = new Database(file, { timeout: busyTimeoutMs })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    // After a checkpoint, shrink the WAL file back so the data dir stays bounded.
    db.pragma('journal_size_limit = 16777216')
    db.pragma('temp_store = MEMORY')
    migrate(db)
    if (maxFileBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxFileBytes / pageSize))}`)
    }
  } catch (error) {
    db.close()
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataFileInUseError(file)
    throw error
  }
  return db
}

function migrate(db: Database.Database): void {
  // BEGIN IMMEDIATE takes the write lock now, so a second process fails here, not later.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) {
      throw new Error(`database schema version ${version} is newer than this Sprocket (${SCHEMA_VERSION})`)
    }
    if (version < 1) db.exec(SCHEMA_V2)
    else if (version < 2) db.exec(MIGRATE_V1_TO_V2)
    db.pragma(`user_version = ${SCHEMA_VERSION}`)
  }).immediate()
}
