/** Something that corks its writes until told to flush. */
export interface Flushable {
  flush(): void
}

let pending: Flushable[] = []
/** The other of the two lists, empty between flushes: no new array per turn. */
let spare: Flushable[] = []
let scheduled = false

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
 * The caller corks before registering and registers at most once per turn.
 */
export function flushAtEndOfTurn(item: Flushable): void {
  pending.push(item)
  if (!scheduled) {
    scheduled = true
    process.nextTick(flushAll)
  }
}
