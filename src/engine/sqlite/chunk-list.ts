/** Compact the arrays once this many removed entries sit at their front. */
const COMPACT_AFTER = 64

/**
 * The ids and `last_seq`s of one stream's stored chunks, oldest first: which chunks a read needs
 * and which a trim deletes is looked up here instead of walking the chain in the file. Ids and
 * seqs both increase along it.
 */
export class ChunkList {
  #ids: number[] = []
  #seqs: number[] = []
  #start = 0

  get size(): number {
    return this.#ids.length - this.#start
  }

  /** `last_seq` of the oldest chunk, 0 when there is none. */
  get oldestLastSeq(): number {
    return this.size === 0 ? 0 : this.#seqs[this.#start]!
  }

  /** Position (0 … size) of the oldest chunk holding a publication after `seq` (binary search). */
  indexAfter(seq: number): number {
    let lo = this.#start
    let hi = this.#seqs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.#seqs[mid]! <= seq) lo = mid + 1
      else hi = mid
    }
    return lo - this.#start
  }

  /** Id of the chunk at `index` (0 = oldest). */
  idAt(index: number): number {
    return this.#ids[this.#start + index]!
  }

  push(id: number, lastSeq: number): void {
    this.#ids.push(id)
    this.#seqs.push(lastSeq)
  }

  /** Removes the chunks whose publications are all at or below `seq`; returns their ids. */
  takeThroughSeq(seq: number): number[] {
    let end = this.#start
    while (end < this.#seqs.length && this.#seqs[end]! <= seq) end++
    return this.#take(end)
  }

  /** Removes the chunks with an id at or below `id` (the sweep deleted them). */
  dropThroughId(id: number): void {
    let end = this.#start
    while (end < this.#ids.length && this.#ids[end]! <= id) end++
    this.#take(end)
  }

  #take(end: number): number[] {
    const taken = this.#ids.slice(this.#start, end)
    this.#start = end
    if (this.#start === this.#ids.length) {
      this.#ids = []
      this.#seqs = []
      this.#start = 0
    } else if (this.#start >= COMPACT_AFTER && this.#start * 2 >= this.#ids.length) {
      this.#ids = this.#ids.slice(this.#start)
      this.#seqs = this.#seqs.slice(this.#start)
      this.#start = 0
    }
    return taken
  }
}
