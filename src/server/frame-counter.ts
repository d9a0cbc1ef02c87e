/**
 * Counts the frames of the message being received by reading frame headers off the raw byte
 * stream (RFC 6455 §5.2), skipping payloads without copying them. A peer sending millions of
 * 1-byte fragments would otherwise cost a buffer object each. `ws` limits the size of a message;
 * only recent versions also count fragments, and they close with 1008: counting here makes the
 * limit ours, the same on every ws version, and closes with 1009 like the size limit.
 * Control frames (ping, pong, close) may sit between fragments and are not counted.
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
    let at = 0
    while (at < chunk.length && !this.#exceeded) {
      if (this.#payloadLeft > 0) {
        const skip = Math.min(this.#payloadLeft, chunk.length - at)
        this.#payloadLeft -= skip
        at += skip
        continue
      }
      const take = Math.min(this.#headerNeeded - this.#headerBytes, chunk.length - at)
      chunk.copy(this.#header, this.#headerBytes, at, at + take)
      this.#headerBytes += take
      at += take
      if (this.#headerBytes === 2) this.#headerNeeded = this.#headerSize()
      if (this.#headerBytes === this.#headerNeeded) this.#onHeader()
    }
    return !this.#exceeded
  }

  #headerSize(): number {
    const second = this.#header[1] ?? 0
    const lengthCode = second & 0x7f
    const extended = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0
    const mask = second & 0x80 ? 4 : 0
    return 2 + extended + mask
  }

  #onHeader(): void {
    const first = this.#header[0] ?? 0
    const lengthCode = (this.#header[1] ?? 0) & 0x7f
    const fin = (first & 0x80) !== 0
    const opcode = first & 0x0f
    this.#payloadLeft =
      lengthCode === 126
        ? this.#header.readUInt16BE(2)
        : lengthCode === 127
          ? Number(this.#header.readBigUInt64BE(2))
          : lengthCode
    this.#headerBytes = 0
    this.#headerNeeded = 2
    if (opcode >= 0x8) return
    this.#fragments = opcode === 0x0 ? this.#fragments + 1 : 1
    if (this.#fragments > this.#maxFragments) this.#exceeded = true
    if (fin) this.#fragments = 0
  }
}
