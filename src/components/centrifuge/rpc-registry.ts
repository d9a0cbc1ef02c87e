/**
 * RPC methods and the `send` handler applications register on the native protocol (the chat's `chat.*`).
 */
import { ErrorReason, PeerError } from '../../errors.js'
import type { Conn } from '../../server/types.js'

/** Who is calling an RPC method or sending a message. */
export type RpcContext = {
  /** '' for anonymous connections. */
  userId: string
  /** The connection's Centrifugo client id. */
  clientId: string
  /** The connection token's `info` claim, parsed. */
  info?: unknown
  conn?: Conn
}

/**
 * An RPC handler's application error: replied with this `code` (use 400–1999; the client treats
 * codes below 100 as temporary and retries them forever) and `message`.
 */
export class RpcError extends Error {
  readonly code: number
  readonly temporary: boolean

  constructor(code: number, message: string, options: { temporary?: boolean } = {}) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    this.temporary = options.temporary ?? false
  }
}

/**
 * Handles one RPC method. `data` is the client's payload, parsed (undefined when it sent none).
 * The resolved value is sent back as the result `data` (undefined → none).
 * Throw an `RpcError` to answer with an application code, or a `PeerError` to answer with the
 * protocol's code of its reason (101–112); anything else thrown is logged and answered with 100.
 */
export type RpcHandler = (ctx: RpcContext, data: unknown) => Promise<unknown> | unknown

/** Receives a client's asynchronous `send` message. Nothing is replied; throws are logged. */
export type SendHandler = (ctx: RpcContext, data: unknown) => Promise<void> | void

/**
 * RPC methods callable by native-protocol clients (`centrifuge.rpc(method, data)`), and the
 * optional handler of their `send` messages. Built by the composition root, filled by apps
 * (`chat.*`), passed to `mountCentrifuge`. Methods may be registered before or after mounting.
 */
export class RpcRegistry {
  readonly #methods = new Map<string, RpcHandler>()
  #sendHandler: SendHandler | undefined

  /** Registers `method`; a second registration of the same name throws. Returns an unregister function. */
  register(method: string, handler: RpcHandler): () => void {
    if (this.#methods.has(method)) throw new Error(`rpc method already registered: ${method}`)
    this.#methods.set(method, handler)
    return () => {
      if (this.#methods.get(method) === handler) this.#methods.delete(method)
    }
  }

  has(method: string): boolean {
    return this.#methods.has(method)
  }

  /** Sets the handler of `send` messages (one per registry; a second call replaces it). */
  onSend(handler: SendHandler | undefined): void {
    this.#sendHandler = handler
  }

  get sendHandler(): SendHandler | undefined {
    return this.#sendHandler
  }

  /** Calls `method`; an unknown method is `PeerError(methodNotFound)` (104). */
  async call(method: string, ctx: RpcContext, data: unknown): Promise<unknown> {
    const handler = this.#methods.get(method)
    if (handler === undefined) throw new PeerError(ErrorReason.methodNotFound, 'method not found')
    return handler(ctx, data)
  }
}
