/**
 * The one catch of the server layer: runs a component's callbacks and turns what they throw into closes.
 */
import type { Logger } from '../logger.js'
import { PeerError } from '../errors.js'
import { CloseError } from './close-error.js'
import type { Component, Conn } from './types.js'

/** Close code for a peer's mistake that names no sendable code: the peer broke the component's rules. */
const POLICY_VIOLATION = 1008
const INTERNAL_ERROR = 1011

type Phase = 'onOpen' | 'onMessage' | 'onClose' | 'onError'

/**
 * Per-connection gate: messages wait until onOpen has settled, onClose runs after it. `open`
 * returns it and the caller hands it back with every message and the close, so the per-message
 * path needs no lookup.
 */
export type Gate = {
  opening: boolean
  queued: Array<[string | Uint8Array, boolean]>
  closed?: [number, string]
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}

/** Codes a close frame may carry (RFC 6455 §7.4): a `CloseError` naming another falls back to 1008. */
function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
}

function isPromise(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function'
}

/**
 * Calls one route's component and is the server layer's one catch. A `CloseError` or a
 * `PeerError` is the peer's mistake: the connection closes with the `CloseError`'s code, or 1008
 * (a `PeerError`'s neutral reason names no close code of any protocol). Anything
 * else is a bug: it is logged with context, handed to `onError`, and costs that connection a 1011
 * close; never the process, never another connection.
 *
 * Ordering: `onMessage` is not called before `onOpen` has settled (messages that arrive meanwhile
 * are queued in order), and `onClose` comes last, exactly once per opened connection.
 * Async `onMessage` calls are not serialised: a component that needs that awaits its own state.
 */
export class Dispatch {
  readonly #component: Component
  readonly #logger: Logger
  readonly #onBug: (conn: Conn, phase: Phase) => void

  constructor(component: Component, logger: Logger, onBug: (conn: Conn, phase: Phase) => void) {
    this.#component = component
    this.#logger = logger
    this.#onBug = onBug
  }

  open(conn: Conn): Gate {
    const gate: Gate = { opening: true, queued: [] }
    const settled = () => this.#opened(conn, gate)
    try {
      const result = this.#component.onOpen(conn)
      if (isPromise(result)) {
        result.then(settled, (error: unknown) => {
          this.#fail(conn, 'onOpen', error)
          settled()
        })
        return gate
      }
    } catch (error) {
      this.#fail(conn, 'onOpen', error)
    }
    settled()
    return gate
  }

  message(conn: Conn, gate: Gate, data: string | Uint8Array, isBinary: boolean): void {
    if (gate.closed !== undefined) return
    if (gate.opening) {
      gate.queued.push([data, isBinary])
      return
    }
    this.#deliver(conn, data, isBinary)
  }

  close(conn: Conn, gate: Gate, code: number, reason: string): void {
    if (gate.closed !== undefined) return
    gate.closed = [code, reason]
    gate.queued = []
    if (!gate.opening) this.#closed(conn, code, reason)
  }

  #opened(conn: Conn, gate: Gate): void {
    gate.opening = false
    if (gate.closed !== undefined) {
      this.#closed(conn, ...gate.closed)
      return
    }
    const queued = gate.queued
    gate.queued = []
    for (const [data, isBinary] of queued) {
      if (!conn.isOpen) break
      this.#deliver(conn, data, isBinary)
    }
  }

  #deliver(conn: Conn, data: string | Uint8Array, isBinary: boolean): void {
    try {
      const result = this.#component.onMessage(conn, data, isBinary)
      if (isPromise(result)) result.then(undefined, (error: unknown) => this.#fail(conn, 'onMessage', error))
    } catch (error) {
      this.#fail(conn, 'onMessage', error)
    }
  }

  #closed(conn: Conn, code: number, reason: string): void {
    this.#guard(conn, 'onClose', () => this.#component.onClose(conn, code, reason))
  }

  #fail(conn: Conn, phase: Phase, thrown: unknown): void {
    if (thrown instanceof CloseError || thrown instanceof PeerError) {
      const code = thrown instanceof CloseError ? thrown.closeCode : undefined
      const closeCode = code !== undefined && isSendableCloseCode(code) ? code : POLICY_VIOLATION
      const reason = thrown instanceof PeerError ? thrown.reason : undefined
      this.#logger.warn({ connId: conn.id, phase, reason, closeCode }, 'peer error')
      conn.close(closeCode, thrown.message)
      return
    }
    const error = asError(thrown)
    this.#logger.error({ err: error, connId: conn.id, url: conn.request.url, phase }, 'component failed')
    this.#onBug(conn, phase)
    this.#guard(conn, 'onError', () => this.#component.onError(conn, error))
    conn.close(INTERNAL_ERROR, 'internal error')
  }

  /** onClose and onError have nobody left to report to: their failures are logged and counted. */
  #guard(conn: Conn, phase: Phase, call: () => void | Promise<void>): void {
    const report = (thrown: unknown) => {
      this.#logger.error({ err: asError(thrown), connId: conn.id, url: conn.request.url, phase }, 'component failed')
      this.#onBug(conn, phase)
    }
    try {
      const result = call()
      if (isPromise(result)) result.then(undefined, report)
    } catch (error) {
      report(error)
    }
  }
}
