/** Something that corks its writes until told to flush. */
export interface Flushable {
  flush(): void
}

let pending: Flushable[] = []
/** The other of the two lists, empty between flushes: no new array per turn. */
let spare: Flushable[] = []
let scheduled = false
/** Depth of `beginReadBatch` calls: while above 0, the batch's end flushes instead of a nextTick. */
let batching = 0

function flushAll(): void {
  const batch = pending
  pending = spare
  spare = batch
  scheduled = false
  try {
    for (let i = 0; i < batch.length; i++) batch[i]!.flush()
  } finally {
    batch.length = 0
  }
}

/**
 * Registers `item` to be flushed once at the end of the current event-loop turn, together with
 * every other item registered in this turn (one shared `process.nextTick`, not one per socket).
 * The caller holds or corks its writes before registering, and registers at most once per turn.
 */
export function flushAtEndOfTurn(item: Flushable): void {
  pending.push(item)
  if (!scheduled && batching === 0) {
    scheduled = true
    process.nextTick(flushAll)
  }
}

/**
 * Marks the start of a socket's read callback, the usual turn in which a server writes (an echo,
 * a reply, a chat message relayed): what is registered until the matching `endReadBatch` is
 * flushed by it, synchronously, instead of by a `process.nextTick` (a tick per message saved).
 * Writes made later in the turn, in ticks or microtasks, are flushed as usual.
 */
export function beginReadBatch(): void {
  batching++
}

export function endReadBatch(): void {
  if (--batching === 0 && pending.length > 0) flushAll()
}
