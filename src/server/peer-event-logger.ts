/**
 * Bounds the log lines peers can cause. Refused handshakes, peer errors and slow-consumer closes
 * are logged once per event, so a flood of bad peers would otherwise become a flood of log lines
 * (and disk); each line also carries peer-chosen text (URLs, origins), which is cut to a bounded
 * length. Lines beyond the budget are counted, and the count is written once the flood is over.
 */
import type { Logger } from '../logger.js'
import { TokenBucket } from '../token-bucket.js'

export type PeerLogBudget = {
  /** Lines per second written in a flood. */
  linesPerSecond: number
  /** Lines written at once before the rate applies. */
  burst: number
  /** Longest string field written; longer ones are cut and end with `…`. */
  maxFieldChars: number
}

export const peerLogBudgetDefaults: PeerLogBudget = { linesPerSecond: 20, burst: 100, maxFieldChars: 256 }

/** How long after the last suppressed line the count of suppressed lines is written. */
const SUPPRESSED_REPORT_DELAY_MS = 1000

type Level = 'debug' | 'info' | 'warn' | 'error'

/** The budget shared by a logger and its children. */
class SharedBudget {
  readonly #bucket: TokenBucket
  #suppressed = 0
  #reportTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly logger: Logger,
    readonly budget: PeerLogBudget,
  ) {
    this.#bucket = new TokenBucket(budget.linesPerSecond, budget.burst, Date.now())
  }

  admit(): boolean {
    if (this.#bucket.take(Date.now())) return true
    this.#suppressed++
    if (this.#reportTimer === undefined) {
      this.#reportTimer = setTimeout(() => this.#report(), SUPPRESSED_REPORT_DELAY_MS)
      this.#reportTimer.unref()
    }
    return false
  }

  #report(): void {
    this.#reportTimer = undefined
    const suppressed = this.#suppressed
    this.#suppressed = 0
    this.logger.warn({ suppressed, linesPerSecond: this.budget.linesPerSecond }, 'peer events not logged (log budget exceeded)')
  }
}

/**
 * A `Logger` for events peers cause: `debug` passes through as it is (off in production), every
 * other line spends one token of a budget shared with the logger's children.
 */
export function peerEventLogger(logger: Logger, budget: PeerLogBudget = peerLogBudgetDefaults): Logger {
  return budgeted(logger, new SharedBudget(logger, budget))
}

function budgeted(logger: Logger, shared: SharedBudget): Logger {
  const write = (level: Exclude<Level, 'debug'>) => (details: object, message: string) => {
    if (shared.admit()) logger[level](bounded(details, shared.budget.maxFieldChars), message)
  }
  return {
    debug: (details, message) => logger.debug(details, message),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (bindings) => budgeted(logger.child(bindings), shared),
  }
}

/** `details` with every string field cut to `maxChars`. */
function bounded(details: object, maxChars: number): object {
  let copy: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' && value.length > maxChars) {
      copy ??= { ...details }
      copy[key] = `${value.slice(0, maxChars)}…`
    }
  }
  return copy ?? details
}
