import WebSocket from 'ws'
import { until } from './harness.js'

/** A plain `ws` client speaking the JSON protocol by hand, for what centrifuge-js never sends. */
export class RawClient {
  readonly ws: WebSocket
  /** Every line received (pings included), parsed. */
  readonly lines: Array<Record<string, any>> = []
  /** Raw frames as received. */
  readonly frames: string[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  autoPong = true
  pings = 0

  private constructor(ws: WebSocket) {
    this.ws = ws
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    ws.on('message', (data) => {
      const frame = data.toString()
      this.frames.push(frame)
      for (const line of frame.split('\n')) {
        if (line.trim() === '') continue
        const message = JSON.parse(line) as Record<string, any>
        this.lines.push(message)
        if (Object.keys(message).length === 0) {
          this.pings++
          if (this.autoPong && ws.readyState === WebSocket.OPEN) ws.send('{}')
        }
      }
    })
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url)
    const raw = new RawClient(ws)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return raw
  }

  send(text: string): void {
    this.ws.send(text)
  }

  /** Waits for the reply carrying `id`. */
  async reply(id: number, timeoutMs = 2000): Promise<Record<string, any>> {
    await until(() => this.lines.some((line) => line['id'] === id), timeoutMs, `reply ${id}`)
    return this.lines.find((line) => line['id'] === id) as Record<string, any>
  }

  /** Sends connect and waits for its result. */
  async connect(id = 1, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    this.send(JSON.stringify({ connect: body, id }))
    return this.reply(id)
  }

  pushes(): Array<Record<string, any>> {
    return this.lines.filter((line) => line['push'] !== undefined).map((line) => line['push'] as Record<string, any>)
  }

  close(): void {
    this.ws.terminate()
  }
}
