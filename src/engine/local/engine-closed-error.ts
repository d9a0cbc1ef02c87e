/**
 * Thrown (as a rejection) by every engine method called after `close()` began, and by publishes
 * still queued when the engine could not write them. Not a peer's mistake: the hub treats it as
 * "service shutting down". `code` is stable; match on it, not on the message.
 */
export class EngineClosedError extends Error {
  readonly code = 'ENGINE_CLOSED'

  constructor(engineName: string) {
    super(`${engineName} engine is closed`)
    this.name = 'EngineClosedError'
  }
}
