import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { createEngine, DataFileInUseError, EngineUnavailableError } from '../../src/engine/index.js'
import { ErrorReason } from '../../src/errors.js'
import { MAX_UNKNOWN_EPOCHS } from '../../src/engine/local/unknown-epochs.js'
import { createSqliteEngine, SqliteEngine, type SqliteEngineOptions } from '../../src/engine/sqlite/sqlite-engine.js'
import { runEngineConformance } from './conformance.js'
import { Recorder, sleep } from './recorder.js'

const KEEP = { historySize: 10_000, historyTtlMs: 60_000 }

/** The schema of version 1 files, as Sprocket wrote them before chunks were chained. */
const SCHEMA_V1 = `
CREATE TABLE streams (id INTEGER PRIMARY KEY, channel TEXT NOT NULL UNIQUE, epoch TEXT NOT NULL, top INTEGER NOT NULL,
  history_size INTEGER NOT NULL, idle_until_ms INTEGER NOT NULL);
CREATE INDEX streams_idle ON streams (idle_until_ms);
CREATE TABLE chunks (id INTEGER PRIMARY KEY, stream_id INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE UNIQUE INDEX chunks_stream ON chunks (stream_id, last_seq);
CREATE INDEX chunks_expiry ON chunks (expires_ms);
CREATE TABLE idempotency (stream_id INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, expires_ms INTEGER NOT NULL,
  PRIMARY KEY (stream_id, key)) WITHOUT ROWID;
CREATE INDEX idempotency_expiry ON idempotency (expires_ms);
`

runEngineConformance('sqlite', (store, tuning) => createSqliteEngine({ file: join(store.dir, 'sprocket.db'), sweepIntervalMs: 50, ...tuning }), {
  durable: true,
  distributed: false,
})

describe('sqlite engine', () => {
  let dir: string
  let engines: SqliteEngine[] = []

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sprocket-sqlite-'))
  })
  afterEach(async () => {
    for (const e of engines) await e.close()
    engines = []
    await rm(dir, { recursive: true, force: true })
  })

  async function open(options: Partial<SqliteEngineOptions> = {}): Promise<SqliteEngine> {
    const engine = createSqliteEngine({ file: join(dir, 'sprocket.db'), sweepIntervalMs: 50, ...options })
    engines.push(engine)
    await engine.start(new Recorder())
    return engine
  }

  /** Reads the closed file directly, as an operator would. */
  function query<T>(sql: string): T[] {
    const db = new Database(join(dir, 'sprocket.db'), { readonly: true })
    try {
      return db.prepare(sql).all() as T[]
    } finally {
      db.close()
    }
  }

  test('createEngine defaults to sqlite in <dataDir>/sprocket.db', async () => {
    const engine = await createEngine(undefined, { dataDir: join(dir, 'data') })
    assert.ok(engine instanceof SqliteEngine)
    await engine.start(new Recorder())
    await engine.publish('c', '1', { historySize: 10, historyTtlMs: 60_000 })
    await engine.close()
    assert.ok((await stat(join(dir, 'data', 'sprocket.db'))).size > 0)
  })

  test('the data directory it creates is 0700 and the database and its -wal file are 0600, whatever the umask', async () => {
    const previous = process.umask(0o022)
    try {
      const engine = await createEngine(undefined, { dataDir: join(dir, 'data') })
      await engine.start(new Recorder())
      await engine.publish('c', '1', { historySize: 10, historyTtlMs: 60_000 })
      const mode = async (name: string): Promise<number> => (await stat(join(dir, 'data', name))).mode & 0o777
      assert.equal((await stat(join(dir, 'data'))).mode & 0o777, 0o700)
      for (const name of ['sprocket.db', 'sprocket.db-wal']) assert.equal(await mode(name), 0o600, name)
      await engine.close()
    } finally {
      process.umask(previous)
    }
  })

  test('channels without history create no rows: their positions live in memory, and carry on into a row when history starts', async () => {
    const engine = await open()
    const none = { historySize: 0, historyTtlMs: 0 }
    for (let i = 0; i < 1000; i++) await engine.publish(`typing:${i}`, '{"typing":true}', none)
    const first = await engine.publish('typing:7', '{}', none)
    assert.equal(first.offset, 2)
    assert.deepEqual(await engine.history('typing:7', { limit: 10 }), { offset: 2, epoch: first.epoch, publications: [] })
    assert.equal(engine.stats.volatileStreams, 1000)
    // The first publish that stores something gives the channel its row, in the same epoch.
    const stored = await engine.publish('typing:7', '"kept"', KEEP)
    assert.deepEqual(stored, { offset: 3, epoch: first.epoch, duplicate: false })
    assert.equal((await engine.history('typing:7', { limit: 10 })).publications.length, 1)
    const keyed = await engine.publish('typing:8', '1', { ...none, idempotencyKey: 'k', idempotencyWindowMs: 60_000 })
    assert.equal(keyed.offset, 2, 'an idempotency key needs a row: it gets one, carrying the position on')
    const volatileEpoch = (await engine.history('typing:9', { limit: 0 })).epoch
    await engine.close()
    engines = []
    assert.deepEqual(query<{ channel: string }>('SELECT channel FROM streams ORDER BY channel').map((row) => row.channel), ['typing:7', 'typing:8'])
    const reopened = await open()
    const afterRestart = await reopened.history('typing:9', { limit: 0 })
    assert.equal(afterRestart.offset, 0)
    assert.notEqual(afterRestart.epoch, volatileEpoch, 'a channel without history starts a new epoch after a restart')
    assert.deepEqual(await reopened.history('typing:7', { limit: 0 }), { offset: 3, epoch: first.epoch, publications: [] })
  })

  test('group commit writes 1,000 concurrent publishes in a handful of transactions', async () => {
    const engine = await open()
    const before = engine.stats
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => engine.publish(`ch${i % 10}`, String(i), { historySize: 100, historyTtlMs: 60_000 })),
    )
    assert.equal(results.length, 1000)
    const after = engine.stats
    assert.equal(after.publishes - before.publishes, 1000)
    assert.ok(after.commits - before.commits <= 3, `commits: ${after.commits - before.commits}`)
  })

  test('with maxBatch 1 every publish is its own commit', async () => {
    const engine = await open({ maxBatch: 1 })
    await Promise.all(Array.from({ length: 50 }, (_, i) => engine.publish('c', String(i), { historySize: 100, historyTtlMs: 60_000 })))
    const { publishes, commits } = engine.stats
    assert.deepEqual({ publishes, commits }, { publishes: 50, commits: 50 })
  })

  test('a resolved publish survives the process being killed (kill -9)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sqlite-crash-child.ts', import.meta.url)), join(dir, 'sprocket.db')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      out += chunk
    })
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
    assert.equal(signal, 'SIGKILL', `child exited with ${code}`)
    const reported = JSON.parse(out.trim()) as { offset: number; epoch: string }
    assert.equal(reported.offset, 500)
    const engine = await open()
    const h = await engine.history('crash', { limit: 1000 })
    assert.deepEqual([h.offset, h.epoch, h.publications.length], [500, reported.epoch, 500])
    assert.equal(h.publications.at(-1)?.data, '499')
  })

  test('the file stays bounded under size retention', async () => {
    const payload = JSON.stringify('x'.repeat(1000))
    const opts = { historySize: 50, historyTtlMs: 60_000 }
    const burst = async (engine: SqliteEngine, rounds: number): Promise<void> => {
      for (let round = 0; round < rounds; round++) {
        await Promise.all(Array.from({ length: 1000 }, (_, i) => engine.publish(`c${i % 10}`, payload, opts)))
      }
    }
    await burst(await open(), 5)
    await engines.pop()!.close()
    const sizeAfterFirst = (await stat(join(dir, 'sprocket.db'))).size
    await burst(await open(), 15)
    await engines.pop()!.close()
    const sizeAfterAll = (await stat(join(dir, 'sprocket.db'))).size
    // 20,000 publications of 1 KB went in, 500 are kept; the file holds about one batch (1,000) at most.
    assert.ok(sizeAfterAll < 3 * 1024 * 1024, `db is ${sizeAfterAll} bytes`)
    assert.ok(sizeAfterAll <= sizeAfterFirst * 1.25, `${sizeAfterFirst} → ${sizeAfterAll}`)
    const check = await open()
    for (let c = 0; c < 10; c++) assert.equal((await check.history(`c${c}`, { limit: 1000 })).publications.length, 50)
    await engines.pop()!.close()
    // Storage is trimmed a chunk at a time: a few rows per channel at most.
    const [{ n }] = query<{ n: number }>('SELECT count(*) AS n FROM chunks') as [{ n: number }]
    assert.ok(n <= 30, `${n} chunks`)
  })

  test('the sweep deletes expired rows, keys and idle streams from the file', async () => {
    const engine = await open({ sweepIntervalMs: 20, historyMetaTtlMs: 80 })
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        engine.publish(`t${i % 4}`, String(i), { historySize: 1000, historyTtlMs: 80, idempotencyKey: `k${i}`, idempotencyWindowMs: 80 }),
      ),
    )
    await engine.publish('kept', '1', { historySize: 10, historyTtlMs: 60_000 })
    await sleep(250)
    await engine.close()
    assert.deepEqual(query('SELECT count(*) AS n FROM chunks'), [{ n: 1 }])
    assert.deepEqual(query('SELECT count(*) AS n FROM idempotency'), [{ n: 0 }])
    assert.deepEqual(query('SELECT channel FROM streams'), [{ channel: 'kept' }])
  })

  test('reading or subscribing 10,000 unknown channels stores no row and keeps memory bounded', async () => {
    const engine = await open()
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 0) await engine.subscribe(`sub${i}`)
      await engine.history(i % 10 === 0 ? `sub${i}` : `unknown${i}`, { limit: 10 })
      if (i % 10 === 0) await engine.unsubscribe(`sub${i}`)
    }
    await engine.removeHistory('unknown-removed')
    const { cachedStreams, unknownEpochs } = engine.stats
    assert.equal(cachedStreams, 0)
    assert.ok(unknownEpochs <= MAX_UNKNOWN_EPOCHS, `${unknownEpochs} epochs`)
    await engines.pop()!.close()
    assert.deepEqual(query('SELECT count(*) AS n FROM streams'), [{ n: 0 }])
  })

  test('idempotency keys survive a restart', async () => {
    const first = await open()
    const opts = { historySize: 10, historyTtlMs: 60_000, idempotencyKey: 'k', idempotencyWindowMs: 60_000 }
    const r = await first.publish('idem', '1', opts)
    await first.close()
    const second = await open()
    assert.deepEqual(await second.publish('idem', '1', opts), { ...r, duplicate: true })
  })

  test('a batch that cannot be written (the file reached maxFileBytes) rejects as a whole as the engine unavailable, naming the cap, and leaves no gap', async () => {
    const engine = await open({ maxFileBytes: 256 * 1024 })
    const payload = JSON.stringify('x'.repeat(4000))
    const opts = { historySize: 10_000, historyTtlMs: 60_000 }
    let lastOffset = 0
    let failed: PromiseSettledResult<unknown>[] | undefined
    for (let round = 0; round < 100 && failed === undefined; round++) {
      const settled = await Promise.allSettled(Array.from({ length: 10 }, () => engine.publish('big', payload, opts)))
      if (settled.some((r) => r.status === 'rejected')) failed = settled
      else lastOffset = (settled.at(-1) as PromiseFulfilledResult<{ offset: number }>).value.offset
    }
    assert.ok(failed !== undefined, 'the cap was never reached')
    assert.ok(lastOffset > 0)
    for (const r of failed) {
      assert.equal(r.status, 'rejected')
      const reason = r.reason as EngineUnavailableError
      assert.ok(reason instanceof EngineUnavailableError)
      assert.equal(reason.reason, ErrorReason.unavailable)
      assert.match(reason.message, /the data file reached engine\.sqlite\.maxFileBytes \(262144 bytes\)/)
      assert.equal((reason.cause as { code?: string }).code, 'SQLITE_FULL')
    }
    const h = await engine.history('big', { limit: 0 })
    assert.equal(h.offset, lastOffset)
    // A channel's first publish that fails leaves it without a row, still in the epoch reads reported.
    const fresh = await engine.history('fresh', { limit: 0 })
    await assert.rejects(engine.publish('fresh', JSON.stringify('y'.repeat(60_000)), opts), { code: 'ENGINE_UNAVAILABLE' })
    await engine.removeHistory('big')
    assert.deepEqual(await engine.publish('big', payload, opts), { offset: lastOffset + 1, epoch: h.epoch, duplicate: false })
    assert.deepEqual(await engine.publish('fresh', '1', opts), { offset: 1, epoch: fresh.epoch, duplicate: false })
  })

  test('trimmed history, removed history and offsets survive restarts', async () => {
    const small = { historySize: 5, historyTtlMs: 60_000 }
    const first = await open()
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 7 }, (_, i) => first.publish('trim', String(round * 7 + i + 1), small)))
    }
    await Promise.all(Array.from({ length: 3 }, (_, i) => first.publish('rm', String(i), KEEP)))
    await first.removeHistory('rm')
    const epoch = (await first.history('trim', { limit: 0 })).epoch
    await engines.pop()!.close()

    const second = await open()
    const h = await second.history('trim', { limit: 100 })
    assert.deepEqual([h.offset, h.epoch, h.publications.map((p) => p.data)], [42, epoch, ['38', '39', '40', '41', '42']])
    // Trimming goes on where it stopped: the stored chunks stay a handful.
    for (let i = 43; i <= 80; i++) await second.publish('trim', String(i), small)
    assert.deepEqual((await second.history('trim', { limit: 100 })).publications.map((p) => p.data), ['76', '77', '78', '79', '80'])
    assert.deepEqual(await second.history('rm', { limit: 10 }), { ...(await second.history('rm', { limit: 0 })), offset: 3, publications: [] })
    assert.equal((await second.publish('rm', '"after"', KEEP)).offset, 4)
    await engines.pop()!.close()
    const [{ n }] = query<{ n: number }>("SELECT count(*) AS n FROM chunks c JOIN streams s ON s.id = c.stream_id WHERE s.channel = 'trim'") as [{ n: number }]
    assert.ok(n <= 10, `${n} chunks`)
  })

  test('a newer publication expiring first does not hide older ones that have not', async () => {
    const engine = await open({ sweepIntervalMs: 20 })
    await engine.publish('mixed', '"long"', { historySize: 10, historyTtlMs: 60_000 })
    await engine.publish('mixed', '"short"', { historySize: 10, historyTtlMs: 60 })
    await sleep(200)
    assert.deepEqual((await engine.history('mixed', { limit: 10 })).publications.map((p) => p.data), ['"long"'])
    await engines.pop()!.close()
    const again = await open()
    const h = await again.history('mixed', { limit: 10 })
    assert.deepEqual([h.offset, h.publications.map((p) => p.data)], [2, ['"long"']])
    assert.equal((await again.publish('mixed', '"next"', KEEP)).offset, 3)
  })

  test('a stream whose chunks all expired keeps its offset while it is not forgotten', async () => {
    const engine = await open({ sweepIntervalMs: 20 })
    const opts = { historySize: 10, historyTtlMs: 60 }
    await engine.publish('exp', '1', opts)
    const second = await engine.publish('exp', '2', opts)
    // A key keeps the stream from being forgotten while its window lasts.
    await engine.publish('exp', '3', { ...opts, historySize: 0, idempotencyKey: 'k', idempotencyWindowMs: 60_000 })
    await sleep(200)
    await engines.pop()!.close()
    assert.deepEqual(query('SELECT count(*) AS n FROM chunks'), [{ n: 0 }])
    const again = await open()
    assert.deepEqual(await again.publish('exp', '4', opts), { offset: 4, epoch: second.epoch, duplicate: false })
  })

  test('opens a version 1 file (chunks indexed by stream) and carries on', async () => {
    const db = new Database(join(dir, 'sprocket.db'))
    db.exec(SCHEMA_V1)
    const now = Date.now()
    const chunk = (seqs: number[]): string => seqs.map((s) => `${s} ${now} ${now + 60_000} 3 0 0\n"${s}"`).join('')
    db.prepare("INSERT INTO streams (id, channel, epoch, top, history_size, idle_until_ms) VALUES (1, 'old', 'e1', 5, 100, ?)").run(now + 3_600_000)
    const insert = db.prepare('INSERT INTO chunks (stream_id, first_seq, last_seq, expires_ms, body) VALUES (1, ?, ?, ?, ?)')
    insert.run(1, 2, now + 60_000, chunk([1, 2]))
    insert.run(3, 5, now + 60_000, chunk([3, 4, 5]))
    db.pragma('user_version = 1')
    db.close()
    const engine = await open()
    const h = await engine.history('old', { limit: 10 })
    assert.deepEqual([h.offset, h.epoch, h.publications.map((p) => p.data)], [5, 'e1', ['"1"', '"2"', '"3"', '"4"', '"5"']])
    assert.deepEqual(await engine.publish('old', '"6"', KEEP), { offset: 6, epoch: 'e1', duplicate: false })
    assert.deepEqual((await engine.history('old', { limit: 2, reverse: true })).publications.map((p) => p.data), ['"6"', '"5"'])
  })

  test('a second engine cannot open a file in use: DataFileInUseError names the file', async () => {
    await open()
    const other = createSqliteEngine({ file: join(dir, 'sprocket.db'), busyTimeoutMs: 50 })
    await assert.rejects(other.start(new Recorder()), (error: unknown) => error instanceof DataFileInUseError && error.file === join(dir, 'sprocket.db'))
    await other.close()
  })
})
