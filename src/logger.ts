/**
 * What every layer logs through: the server, the hub, the components, the HTTP routes and the
 * command. A pino logger satisfies it as it is (`test/logger.test.ts` checks that at compile
 * time), so an application passes its own pino instance anywhere a `Logger` is taken.
 *
 * One call per event, never per message above `debug`. `details` is a plain object of context
 * (`connId`, `channel`, `err` for an error: pino serialises it with its stack); `message` is a
 * short fixed phrase, so lines can be grouped by it.
 */
export interface Logger {
  debug(details: object, message: string): void
  info(details: object, message: string): void
  warn(details: object, message: string): void
  error(details: object, message: string): void
  /** A logger that adds `bindings` (e.g. `{ route: '/echo' }`) to every line it writes. */
  child(bindings: object): Logger
}

/** Writes nothing: the default where a library user passed no logger and silence is right. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
}
