import { pino, type Logger } from 'pino'
import type { Config } from '../config/index.js'

/** The process logger: JSON lines on stdout, one `msg` per event, `name: "sprocket"`. */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ name: 'sprocket', level })
}
