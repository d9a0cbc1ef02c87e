/**
 * Durability end to end: `sprocket serve` (the default sqlite engine) takes a stream of HTTP API
 * publishes with many in flight, is killed with SIGKILL mid-stream, restarts on the same data
 * dir, and its history must hold every acknowledged publication exactly where the
 * acknowledgement said, with no gap, no duplicate, no reordering and the same epoch.
 */
import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ServeProcess } from '../cli/cli-process.js'

const apiKey = 'durability-test-key'
const channel = 'durable:stream'
const total = 10_000
const killAfterAcks = 4_000
const inFlight = 128
/**
 * ~2 KiB per publication: the acknowledged ones fill the WAL past SQLite's auto-checkpoint
 * (1000 pages, ~4 MiB) several times before the kill, so checkpoints (and the WAL restarting
 * from its beginning) happen mid-stream, and chunk rows spill into overflow pages.
 */
const padding = 'x'.repeat(2048)

type Payload = { seq: number; worker: number; pad: string }
type Sent = { seq: number; worker: number; sentNs: bigint }
type Ack = Sent & { offset: number; epoch: string; ackedNs: bigint }
type HistoryPublication = { data: unknown; offset: number }
type HistoryReply = { result?: { publications?: HistoryPublication[]; offset?: number; epoch: string }; error?: { code: number } }

const dir = mkdtempSync(join(tmpdir(), 'sprocket-durability-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const configFile = join(dir, 'sprocket.json')
const dataDir = join(dir, 'data')
writeFileSync(
  configFile,
  JSON.stringify({
    host: '127.0.0.1',
    api: { key: apiKey },
    chat: { enabled: false },
    channels: {
      namespaces: {
        durable: { historySize: 20_000, historyTtlMs: 3_600_000 },
      },
    },
  }),
)

function startServe(): ServeProcess {
  return new ServeProcess(['--config', configFile, '--port', '0', '--data-dir', dataDir])
}

/** POSTs `/api/<method>` over a keep-alive connection; resolves with the parsed JSON body. */
function callApi(agent: Agent, port: number, method: string, body: unknown): Promise<unknown> {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/api/${method}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-api-key': apiKey },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`HTTP ${res.statusCode}`))
            return
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch (error) {
            reject(error)
          }
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(text)
  })
}

/**
 * Publishes seq 1..total from `inFlight` loops, each waiting for its ack before sending the next,
 * and SIGKILLs the server the moment the `killAfterAcks`-th ack arrives. The loops keep
 * publishing until the death breaks their request, so the server dies with requests in flight
 * (a reply that made it out before the death is an ack like any other).
 */
async function publishUntilKilled(server: ServeProcess, port: number): Promise<{ sent: Map<number, Sent>; acks: Ack[]; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight })
  const sent = new Map<number, Sent>()
  const acks: Ack[] = []
  let failures = 0
  let next = 1
  let killed = false
  const loop = async (worker: number): Promise<void> => {
    while (next <= total) {
      const seq = next++
      const entry: Sent = { seq, worker, sentNs: process.hrtime.bigint() }
      sent.set(seq, entry)
      const payload: Payload = { seq, worker, pad: padding }
      let reply: unknown
      try {
        reply = await callApi(agent, port, 'publish', { channel, data: payload })
      } catch {
        failures++
        // Only the kill may break a request; before it, a failure is a bug of its own.
        if (!killed) throw new Error(`publish of seq ${seq} failed before the kill`)
        return
      }
      const ackedNs = process.hrtime.bigint()
      const result = (reply as { result?: { offset: number; epoch: string } }).result
      assert.ok(result !== undefined, `publish of seq ${seq} answered ${JSON.stringify(reply)}`)
      acks.push({ ...entry, offset: result.offset, epoch: result.epoch, ackedNs })
      if (acks.length === killAfterAcks && !killed) {
        killed = true
        server.child.kill('SIGKILL')
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: inFlight }, (_, worker) => loop(worker)))
  } finally {
    agent.destroy()
  }
  return { sent, acks, failures }
}

/** The whole retained history, oldest first, paging with `since` (pages are capped at 1000). */
async function readHistory(port: number): Promise<{ publications: HistoryPublication[]; top: number; epoch: string }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const publications: HistoryPublication[] = []
    const first = (await callApi(agent, port, 'history', { channel, limit: 0 })) as HistoryReply
    assert.ok(first.result !== undefined, JSON.stringify(first))
    const top = first.result.offset ?? 0
    const epoch = first.result.epoch
    let since = 0
    for (;;) {
      const page = (await callApi(agent, port, 'history', { channel, limit: 1000, since: { offset: since, epoch } })) as HistoryReply
      assert.ok(page.result !== undefined, JSON.stringify(page))
      assert.equal(page.result.epoch, epoch, 'epoch changed between history pages')
      const batch = page.result.publications ?? []
      if (batch.length === 0) break
      publications.push(...batch)
      since = batch[batch.length - 1]!.offset
    }
    return { publications, top, epoch }
  } finally {
    agent.destroy()
  }
}

test('every acknowledged HTTP publish survives kill -9 of sprocket serve, gap-free, in order, same epoch', { timeout: 120_000 }, async () => {
  const startedMs = Date.now()
  const first = startServe()
  let second: ServeProcess | undefined
  try {
    const firstPort = await first.port()
    const publishStartMs = Date.now()
    const { sent, acks, failures } = await publishUntilKilled(first, firstPort)
    const publishMs = Date.now() - publishStartMs
    const death = await first.exited
    assert.equal(death.signal, 'SIGKILL', 'the server was killed, not stopped')
    // Replies already on their way when the signal landed still count as acknowledged.
    assert.ok(acks.length >= killAfterAcks && acks.length < total, `${acks.length} acks: the kill came mid-stream`)
    assert.equal(failures, inFlight, 'every publishing loop was cut off by the death')
    const epochs = new Set(acks.map((ack) => ack.epoch))
    assert.equal(epochs.size, 1, `one epoch before the kill, got ${[...epochs].join(', ')}`)
    const epochBefore = acks[0]!.epoch
    const checkpointedBytes = statSync(join(dataDir, 'sprocket.db')).size
    // The main file holds only the schema until a checkpoint copies publications into it.
    assert.ok(checkpointedBytes > 1_048_576, `WAL checkpoints ran before the kill (main file ${checkpointedBytes} bytes)`)

    second = startServe()
    const port = await second.port()
    const history = await readHistory(port)

    assert.equal(history.epoch, epochBefore, 'the epoch survives the restart')
    // Gap-free from 1 to the top: nothing retained was trimmed (historySize 20,000 > total).
    assert.equal(history.publications.length, history.top, 'history holds every offset up to the top')
    history.publications.forEach((publication, i) => assert.equal(publication.offset, i + 1, `offset at position ${i}`))

    // Every publication is one we sent, verbatim, and none twice.
    const offsetOfSeq = new Map<number, number>()
    for (const publication of history.publications) {
      const data = publication.data as Payload
      const sentEntry = sent.get(data.seq)
      assert.ok(sentEntry !== undefined, `offset ${publication.offset} holds seq ${data.seq}, never sent`)
      assert.deepEqual(data, { seq: data.seq, worker: sentEntry.worker, pad: padding }, `offset ${publication.offset} data`)
      assert.ok(!offsetOfSeq.has(data.seq), `seq ${data.seq} stored twice (offsets ${offsetOfSeq.get(data.seq)} and ${publication.offset})`)
      offsetOfSeq.set(data.seq, publication.offset)
    }

    // Every acknowledged publication is there, at the offset its ack reported.
    for (const ack of acks) {
      assert.equal(offsetOfSeq.get(ack.seq), ack.offset, `acked seq ${ack.seq} (offset ${ack.offset}) in history`)
    }
    assert.ok(history.top >= killAfterAcks, `top ${history.top} covers the ${killAfterAcks} acks`)

    // Real-time order: a publication sent after another was acknowledged sits at a higher offset,
    // acknowledged or not (unacknowledged ones may be missing, never out of place).
    const acksByTime = [...acks].sort((a, b) => (a.ackedNs < b.ackedNs ? -1 : a.ackedNs > b.ackedNs ? 1 : 0))
    const maxOffsetAckedBy: number[] = []
    let running = 0
    for (const ack of acksByTime) maxOffsetAckedBy.push((running = Math.max(running, ack.offset)))
    for (const [seq, offset] of offsetOfSeq) {
      const sentNs = sent.get(seq)!.sentNs
      let lo = 0
      let hi = acksByTime.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (acksByTime[mid]!.ackedNs < sentNs) lo = mid + 1
        else hi = mid
      }
      if (lo > 0) {
        const before = maxOffsetAckedBy[lo - 1]!
        assert.ok(before < offset, `seq ${seq} at offset ${offset} was sent after offset ${before} was acknowledged`)
      }
    }

    // The stream continues where it stopped, in the same epoch.
    const agent = new Agent({ keepAlive: false })
    try {
      const reply = (await callApi(agent, port, 'publish', { channel, data: { seq: 0, worker: -1, pad: padding } })) as {
        result: { offset: number; epoch: string }
      }
      assert.deepEqual(reply.result, { offset: history.top + 1, epoch: epochBefore })
    } finally {
      agent.destroy()
    }
    const unacked = history.top - acks.length
    console.log(
      `durability: ${acks.length} acked, ${unacked} committed unacked, ${sent.size - history.top} sent but not stored, ${failures} requests cut off; publishing ${publishMs} ms, whole test ${Date.now() - startedMs} ms`,
    )
  } finally {
    await first.stop()
    await second?.stop()
  }
})
