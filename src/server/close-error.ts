/**
 * A component's way to refuse a peer by closing its connection with a chosen code: thrown from
 * `onOpen` or `onMessage`, the server closes with `closeCode` (1008 when no close frame may carry
 * it) and does not count it as a bug. Protocol components map neutral `PeerError`s to their own
 * close codes themselves; this is for components that speak their own application protocol.
 */
export class CloseError extends Error {
  readonly closeCode: number

  constructor(closeCode: number, reason: string) {
    super(reason)
    this.name = 'CloseError'
    this.closeCode = closeCode
  }
}
