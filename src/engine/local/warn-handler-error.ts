import type { HandlerErrorReporter } from './local-fanout.js'

/** Reports handler errors as process warnings: never lost, never fatal. The engines' default. */
export const warnHandlerError: HandlerErrorReporter = (error, event) => {
  process.emitWarning(`engine handler threw on ${event}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
}
