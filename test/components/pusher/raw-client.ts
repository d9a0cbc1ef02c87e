/** A raw WebSocket client speaking Pusher frames by hand, for what pusher-js never sends (bad frames, silence). */
import WebSocket from 'ws'

export type RawFrame = { event: string; channel?: string; data?: any; user_id?: string }

export type RawClient = {
  ws: WebSocket
  frames: RawFrame[]
  send(frame: unknown): void
  /** The next frame with this event (already received or arriving within the timeout). */
  next(event: string, timeoutMs?: number): Promise<RawFrame>
  closed: Promise<{ code: number; reason: string }>
}

/** Parses `data` when it is a JSON string (as every `pusher:` event's data is). */
function decode(text: string): RawFrame {
  const frame = JSON.parse(text) as RawFrame
  if (typeof frame.data === 'string') {
    try {
      frame.data = JSON.parse(frame.data)
    } catch {
      // a channel event's data may be any string
    }
  }
  return frame
}

export async function rawClient(url: string): Promise<RawClient> {
  const ws = new WebSocket(url)
  const frames: RawFrame[] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    frames.push(decode(String(data)))
    for (const wake of waiters.splice(0)) wake()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let consumed = 0
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    async next(event, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const index = frames.findIndex((frame, i) => i >= consumed && frame.event === event)
        if (index !== -1) {
          consumed = index + 1
          return frames[index] as RawFrame
        }
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`timed out waiting for ${event}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
    },
  }
}

export function rawUrl(port: number, key: string, query = 'protocol=7&client=js&version=8.6.0&flash=false', prefix = ''): string {
  return `ws://127.0.0.1:${port}${prefix}/app/${key}?${query}`
}
