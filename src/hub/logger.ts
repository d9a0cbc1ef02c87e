/** What the hub logs through; a pino logger fits. */
export interface HubLogger {
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

/** Used when no logger is given: warnings and errors go to stderr. */
export const consoleLogger: HubLogger = {
  warn: (details, message) => console.warn(message, details),
  error: (details, message) => console.error(message, details),
}
