/**
 * Counts the frames of the message being received by reading frame headers off the raw byte
 * stream (RFC 6455 §5.2), skipping payloads without copying them. A peer sending millions of
 * 1-byte fragments would otherwise cost a buffer object each. `ws` limits the size of a message;
 * only recent versions also count fragments, and they close with 1008: counting here makes the
 * limit ours, the same on every ws version, and closes with 1009 like the size limit.
 * Control frames (ping, pong, close) may sit between fragments and are not counted.
 *
 * It runs on every chunk the peer sends, so a header that lies whole in the chunk (the usual
 * case) is read in place; only a header split across chunks is gathered into a small buffer.
 */
export class FrameCounter {
  readonly #maxFragments: number
  readonly #header = Buffer.alloc(14)
  #headerBytes = 0
  #headerNeeded = 2
  #payloadLeft = 0
  #fragments = 0
  #exceeded = false

  constructor(maxFragments: number) {
    this.#maxFragments = maxFragments
  }

  /** True once some message has had more than `maxFragments` frames. Sticky. */
  get exceeded(): boolean {
    return this.#exceeded
  }

  /** Feeds the next chunk of bytes from the peer. Returns false when the limit is passed. */
  push(chunk: Buffer): boolean {
    const end = chunk.length
    let at = 0
    while (at < end && !this.#exceeded) {
      if (this.#payloadLeft > 0) {
        const skip = Math.min(this.#payloadLeft, end - at)
        this.#payloadLeft -= skip
        at += skip
        continue
      }
      if (this.#headerBytes === 0 && end - at >= 2) {
        const size = headerSize(chunk[at + 1]!)
        if (end - at >= size) {
          this.#onHeader(chunk, at)
          at += size
          continue
        }
      }
      at = this.#gather(chunk, at)
    }
    return !this.#exceeded
  }

  /** Copies the next bytes of a header split across chunks; returns the new read position. */
  #gather(chunk: Buffer, at: number): number {
    const take = Math.min(this.#headerNeeded - this.#headerBytes, chunk.length - at)
    chunk.copy(this.#header, this.#headerBytes, at, at + take)
    this.#headerBytes += take
    if (this.#headerBytes === 2) this.#headerNeeded = headerSize(this.#header[1]!)
    if (this.#headerBytes === this.#headerNeeded) {
      this.#headerBytes = 0
      this.#headerNeeded = 2
      this.#onHeader(this.#header, 0)
    }
    return at + take
  }

  /** Reads the whole header starting at `bytes[at]`. */
  #onHeader(bytes: Buffer, at: number): void {
    const first = bytes[at]!
    const lengthCode = bytes[at + 1]! & 0x7f
    this.#payloadLeft =
      lengthCode === 126
        ? (bytes[at + 2]! << 8) | bytes[at + 3]!
        : lengthCode === 127
          ? bytes.readUInt32BE(at + 2) * 2 ** 32 + bytes.readUInt32BE(at + 6)
          : lengthCode
    const opcode = first & 0x0f
    if (opcode >= 0x8) return
    this.#fragments = opcode === 0x0 ? this.#fragments + 1 : 1
    if (this.#fragments > this.#maxFragments) this.#exceeded = true
    if ((first & 0x80) !== 0) this.#fragments = 0
  }
}

/** Header size from its second byte: 2, plus the extended length, plus the mask key. */
function headerSize(second: number): number {
  const lengthCode = second & 0x7f
  return 2 + (lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0)
}
