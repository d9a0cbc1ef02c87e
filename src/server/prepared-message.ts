/** WebSocket frames built once and written to many connections (fan-out). */
import type { PreparedMessage } from './types.js'

const OPCODE_TEXT = 0x1
const OPCODE_BINARY = 0x2

/** Size of the header of an unmasked frame carrying `payloadBytes`. */
export function headerBytes(payloadBytes: number): number {
  return payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10
}

/**
 * Writes the header of one unfragmented, unmasked server frame (RFC 6455 §5.2) at the start of
 * `target`; returns its size. Servers never mask, so header + payload is the whole frame and the
 * same bytes serve every connection.
 */
function writeFrameHeader(target: Buffer, isBinary: boolean, payloadBytes: number): number {
  target[0] = 0x80 | (isBinary ? OPCODE_BINARY : OPCODE_TEXT)
  if (payloadBytes < 126) {
    target[1] = payloadBytes
    return 2
  }
  if (payloadBytes < 65_536) {
    target[1] = 126
    target.writeUInt16BE(payloadBytes, 2)
    return 4
  }
  target[1] = 127
  target.writeUInt32BE(Math.floor(payloadBytes / 2 ** 32), 2)
  target.writeUInt32BE(payloadBytes >>> 0, 6)
  return 10
}

export function frameHeader(isBinary: boolean, payloadBytes: number): Buffer {
  const header = Buffer.allocUnsafe(headerBytes(payloadBytes))
  writeFrameHeader(header, isBinary, payloadBytes)
  return header
}

/** A whole text frame in one buffer, the text encoded straight into it. */
export function textFrame(text: string): { frame: Buffer; payloadBytes: number } {
  const payloadBytes = Buffer.byteLength(text, 'utf8')
  const frame = Buffer.allocUnsafe(headerBytes(payloadBytes) + payloadBytes)
  frame.write(text, writeFrameHeader(frame, false, payloadBytes), 'utf8')
  return { frame, payloadBytes }
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
    this.frame = Buffer.allocUnsafe(headerBytes(this.payloadBytes) + this.payloadBytes)
    this.payload.copy(this.frame, writeFrameHeader(this.frame, this.isBinary, this.payloadBytes))
  }
}

/** Frames `data` once so `Conn.sendPrepared` can write the same bytes to many connections. */
export function prepareMessage(data: string | Uint8Array): PreparedMessage {
  return new FramedMessage(data)
}
