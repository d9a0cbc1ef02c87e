import type { Logger } from '../src/logger.js'

export type LogEntry = { details: Record<string, unknown>; message: string }

/** Keeps what it is told to warn and error, so tests can assert what was reported (and nothing else). */
export class RecordingLogger implements Logger {
  readonly warnings: LogEntry[] = []
  readonly errors: LogEntry[] = []
  debug(): void {}
  info(): void {}
  warn(details: object, message: string): void {
    this.warnings.push({ details: details as Record<string, unknown>, message })
  }
  error(details: object, message: string): void {
    this.errors.push({ details: details as Record<string, unknown>, message })
  }
  child(): Logger {
    return this
  }
}
