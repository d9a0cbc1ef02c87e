/** The hub's default logger. */
import type { Logger } from '../logger.js'

function consoleLoggerWith(bindings: object): Logger {
  return {
    debug() {},
    info() {},
    warn: (details, message) => console.warn(message, { ...bindings, ...details }),
    error: (details, message) => console.error(message, { ...bindings, ...details }),
    child: (more) => consoleLoggerWith({ ...bindings, ...more }),
  }
}

/** The hub's default when no logger is given: warnings and errors go to stderr, the rest nowhere. */
export const consoleLogger: Logger = consoleLoggerWith({})
