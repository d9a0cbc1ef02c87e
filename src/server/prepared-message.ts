import type { PreparedMessage } from './types.js'

const OPCODE_TEXT = 0x1
const OPCODE_BINARY = 0x2

/**
 * The header of one unfragmented, unmasked server frame (RFC 6455 §5.2). Servers never mask,
 * so header + payload is the whole frame and the same bytes serve every connection.
 */
export function frameHeader(isBinary: boolean, payloadBytes: number): Buffer {
  let header: Buffer
  if (payloadBytes < 126) {
    header = Buffer.allocUnsafe(2)
    header[1] = payloadBytes
  } else if (payloadBytes < 65_536) {
    header = Buffer.allocUnsafe(4)
    header[1] = 126
    header.writeUInt16BE(payloadBytes, 2)
  } else {
    header = Buffer.allocUnsafe(10)
    header[1] = 127
    header.writeUInt32BE(Math.floor(payloadBytes / 2 ** 32), 2)
    header.writeUInt32BE(payloadBytes >>> 0, 6)
  }
  header[0] = 0x80 | (isBinary ? OPCODE_BINARY : OPCODE_TEXT)
  return header
}

/** Text becomes UTF-8 bytes; binary is used as is (no copy). */
export function toPayload(data: string | Uint8Array): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}

/** A message framed once. `payload` stays around for connections that compress (they re-frame). */
export class FramedMessage implements PreparedMessage {
  readonly kind = 'prepared-message' as const
  readonly payloadBytes: number
  readonly isBinary: boolean
  readonly payload: Buffer
  /** Header and payload in one buffer: one write per connection. */
  readonly frame: Buffer

  constructor(data: string | Uint8Array) {
    this.isBinary = typeof data !== 'string'
    this.payload = toPayload(data)
    this.payloadBytes = this.payload.length
    this.frame = Buffer.concat([frameHeader(this.isBinary, this.payloadBytes), this.payload])
  }
}

/** Frames `data` once so `Conn.sendPrepared` can write the same bytes to many connections. */
export function prepareMessage(data: string | Uint8Array): PreparedMessage {
  return new FramedMessage(data)
}
