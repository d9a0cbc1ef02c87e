import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { WebSocket, type ClientOptions } from 'ws'
import { App, type AppOptions } from '../../src/index.js'

/** An App on a free port; `url(path)` gives its ws:// address. */
export async function startApp(options: AppOptions, setup: (app: App) => void): Promise<App & { url(path: string): string }> {
  const app = new App({ host: '127.0.0.1', port: 0, ...options })
  setup(app)
  await app.listen()
  return Object.assign(app, { url: (path: string) => `ws://127.0.0.1:${app.port}${path}` })
}

export async function openClient(url: string, options?: ClientOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, options)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return ws
}

export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, isBinary })))
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' })
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
}

/** Value of one sample in Prometheus text, 0 when absent. `labels` like `code="1009"`. */
export async function metric(app: App, name: string, labels = ''): Promise<number> {
  const text = await app.registry.metrics()
  const prefix = labels === '' ? `${name} ` : `${name}{`
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue
    if (labels !== '' && !labels.split(',').every((label) => line.slice(0, line.lastIndexOf('}')).includes(label))) continue
    return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return 0
}

/** Sends raw bytes and collects everything until the server closes the socket. */
export function rawExchange(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')))
    socket.write(request)
  })
}

export function statusOf(response: string): number {
  return Number(response.split(' ')[1])
}

export function upgradeRequest(path: string, headers: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  }
  const lines = Object.entries(all).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value}`)
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`
}

/** A client frame; masked unless told otherwise (clients must mask, RFC 6455 §5.3). */
export function clientFrame(opcode: number, payload: Buffer, { fin = true, mask = true } = {}): Buffer {
  const length = payload.length
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8
  const header = Buffer.alloc(2 + extended + (mask ? 4 : 0))
  header[0] = (fin ? 0x80 : 0) | opcode
  header[1] = (mask ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127)
  if (extended === 2) header.writeUInt16BE(length, 2)
  if (extended === 8) header.writeBigUInt64BE(BigInt(length), 2)
  if (!mask) return Buffer.concat([header, payload])
  const key = randomBytes(4)
  key.copy(header, 2 + extended)
  const masked = Buffer.alloc(length)
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ key[i & 3]!
  return Buffer.concat([header, masked])
}

export type ServerFrame = { fin: boolean; opcode: number; payload: Buffer }

/**
 * A hand-driven WebSocket client over plain TCP, for what the ws client refuses to do (unmasked
 * frames, invalid UTF-8, ignoring pings, thousands of fragments, not reading).
 */
export class RawClient {
  readonly socket: Socket
  readonly frames: ServerFrame[] = []
  #buffer = Buffer.alloc(0)
  #waiters: Array<() => void> = []
  ended = false

  private constructor(socket: Socket) {
    this.socket = socket
  }

  static async open(port: number, path: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    socket.write(upgradeRequest(path, headers))
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0)
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf('\r\n\r\n')
        if (end === -1) return
        socket.off('data', onData)
        const status = statusOf(head.subarray(0, end).toString('latin1'))
        if (status !== 101) reject(new Error(`upgrade refused with ${status}`))
        resolve(head.subarray(end + 4))
      }
      socket.on('data', onData)
    })
    const client = new RawClient(socket)
    socket.on('data', (chunk) => client.#onData(chunk))
    socket.on('error', () => {})
    socket.on('close', () => {
      client.ended = true
      client.#wake()
    })
    if (rest.length > 0) client.#onData(rest)
    return client
  }

  send(frame: Buffer): void {
    this.socket.write(frame)
  }

  /** Resolves with the first frame matching `test` (already received or yet to come), or undefined at EOF. */
  async waitFor(test: (frame: ServerFrame) => boolean, timeoutMs = 5_000): Promise<ServerFrame | undefined> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.frames.find(test)
      if (found !== undefined || this.ended) return found
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame')
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }

  async closeCode(timeoutMs?: number): Promise<number | undefined> {
    const frame = await this.waitFor((f) => f.opcode === 0x8, timeoutMs)
    return frame === undefined ? undefined : frame.payload.readUInt16BE(0)
  }

  waitEnd(): Promise<void> {
    if (this.ended) return Promise.resolve()
    return new Promise((resolve) => this.socket.once('close', () => resolve()))
  }

  destroy(): void {
    this.socket.destroy()
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    for (;;) {
      const frame = this.#parse()
      if (frame === undefined) break
      this.frames.push(frame)
    }
    this.#wake()
  }

  #wake(): void {
    for (const resolve of this.#waiters.splice(0)) resolve()
  }

  #parse(): ServerFrame | undefined {
    const b = this.#buffer
    if (b.length < 2) return undefined
    let length = b[1]! & 0x7f
    let at = 2
    if (length === 126) {
      if (b.length < 4) return undefined
      length = b.readUInt16BE(2)
      at = 4
    } else if (length === 127) {
      if (b.length < 10) return undefined
      length = Number(b.readBigUInt64BE(2))
      at = 10
    }
    if (b.length < at + length) return undefined
    this.#buffer = b.subarray(at + length)
    return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: Buffer.from(b.subarray(at, at + length)) }
  }
}

/** Polls `read` until it returns `expected` (metrics move when the server sees the close, a moment after the client). */
export async function eventually<T>(read: () => Promise<T> | T, expected: T, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = await read()
  while (last !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    last = await read()
  }
  if (last !== expected) throw new Error(`expected ${String(expected)}, still ${String(last)}`)
}
