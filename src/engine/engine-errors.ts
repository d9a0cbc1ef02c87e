/**
 * Errors every engine may raise that the layers above must tell apart from bugs: the engine's
 * backend is unreachable (neutral, a `PeerError` reason, so each protocol maps it to its codes),
 * or a durable engine's data file is held by another process.
 */
import { ErrorReason, PeerError } from '../errors.js'

/**
 * The engine's backend (Redis) cannot be reached or refuses writes (connection lost, out of
 * memory, read-only replica): the call did not happen, or did not happen as far as the caller can
 * tell, and nothing was acknowledged. Temporary: the same call may succeed later. `code` is stable.
 */
export class EngineUnavailableError extends PeerError {
  readonly code = 'ENGINE_UNAVAILABLE'

  constructor(engineName: string, detail: string, options: { cause?: unknown } = {}) {
    super(ErrorReason.unavailable, `${engineName} engine unavailable: ${detail}`, { temporary: true })
    this.name = 'EngineUnavailableError'
    if (options.cause !== undefined) this.cause = options.cause
  }
}

/**
 * A durable engine's data file is held by another process (another Sprocket on the same data
 * directory). Thrown at start, so the operator learns which file and can stop the other server or
 * give this one its own data directory.
 */
export class DataFileInUseError extends Error {
  constructor(readonly file: string) {
    super(`${file} is in use by another process`)
    this.name = 'DataFileInUseError'
  }
}
