/** The text format publications are stored in, one chunk per transaction and stream. */
import type { ClientInfo, Publication } from '../types.js'

/**
 * The text format of one `chunks.body`: a stream's publications written by one transaction, in
 * offset order. Each is a header line `seq timeMs expiresMs dataLength infoLength tagsLength\n`
 * followed by its data, info and tags texts back to back (lengths in UTF-16 code units, which
 * SQLite TEXT round-trips). Payloads are stored as given: no escaping on write, no JSON parsing
 * of `data` on read.
 *
 * One row per stream per transaction instead of one per publication is what makes group commit
 * cheap: a hot channel writes one row per batch, not hundreds.
 */
export class ChunkBuilder {
  #parts: string[] = []
  count = 0
  firstSeq = 0
  lastSeq = 0
  expiresMs = 0

  add(seq: number, timeMs: number, expiresMs: number, data: string, info: string, tags: string): void {
    if (this.count === 0) this.firstSeq = seq
    this.#parts.push(`${seq} ${timeText(timeMs)} ${expiresText(expiresMs)} ${data.length} ${info.length} ${tags.length}\n`, data, info, tags)
    this.count++
    this.lastSeq = seq
    if (expiresMs > this.expiresMs) this.expiresMs = expiresMs
  }

  /** The chunk's text, built in one go (a flat string, as SQLite needs it). */
  get body(): string {
    return this.#parts.join('')
  }

  reset(): void {
    this.#parts = []
    this.count = 0
    this.expiresMs = 0
  }
}

/*
 * A batch stamps every publication with the same time, and most with the same expiry: their texts
 * (13-digit numbers, slow to format) are kept from one call to the next.
 */
let lastTimeMs = -1
let lastTimeText = ''
let lastExpiresMs = -1
let lastExpiresText = ''

function timeText(timeMs: number): string {
  if (timeMs !== lastTimeMs) {
    lastTimeMs = timeMs
    lastTimeText = String(timeMs)
  }
  return lastTimeText
}

function expiresText(expiresMs: number): string {
  if (expiresMs !== lastExpiresMs) {
    lastExpiresMs = expiresMs
    lastExpiresText = String(expiresMs)
  }
  return lastExpiresText
}

/**
 * Decodes the publications of a chunk with `seq > afterSeq` that have not expired at `nowMs`,
 * in offset order.
 */
export function decodeChunk(body: string, afterSeq: number, nowMs: number): Publication[] {
  const out: Publication[] = []
  let pos = 0
  while (pos < body.length) {
    const newline = body.indexOf('\n', pos)
    const header = body.slice(pos, newline).split(' ')
    const seq = Number(header[0])
    const dataLength = Number(header[3])
    const infoLength = Number(header[4])
    const tagsLength = Number(header[5])
    const start = newline + 1
    pos = start + dataLength + infoLength + tagsLength
    if (seq <= afterSeq || Number(header[2]) <= nowMs) continue
    const publication: Publication = { offset: seq, data: body.slice(start, start + dataLength), timeMs: Number(header[1]) }
    if (infoLength > 0) publication.info = JSON.parse(body.slice(start + dataLength, start + dataLength + infoLength)) as ClientInfo
    if (tagsLength > 0) publication.tags = JSON.parse(body.slice(pos - tagsLength, pos)) as Record<string, string>
    out.push(publication)
  }
  return out
}
