/** The process logger `sprocket serve` hands to every layer. */
import { pino, type Logger } from 'pino'
import type { Config } from '../config/index.js'

/**
 * The process logger: JSON lines on stdout, one `msg` per event, `name: "sprocket"`. Writes are
 * synchronous so the lines around a shutdown or a crash are neither lost nor reordered when
 * the process exits; the server logs per event, never per message, so this costs little.
 */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ name: 'sprocket', level }, pino.destination({ fd: 1, sync: true }))
}
