import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** A running `examples/<name>/server.ts`, started the way the README says, on a free port. */
export type RunningExample = { url: string; child: ChildProcess; stop(): Promise<void> }

export async function startExample(name: string): Promise<RunningExample> {
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}/server.ts`], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = once(child, 'exit')
  let output = ''
  child.stdout?.setEncoding('utf8')
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      output += chunk
      const match = /ws:\/\/localhost:(\d+)(\/\S*)/.exec(output)
      if (match !== null) resolve(`ws://127.0.0.1:${match[1]}${match[2]}`)
    })
    void exited.then(() => reject(new Error(`examples/${name}/server.ts exited before printing its URL:\n${output}`)))
  })
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

/** A `ws` client that queues what it receives, so a test can await messages in order. */
export class TestClient {
  readonly ws: WebSocket
  readonly #queue: { data: Buffer; isBinary: boolean }[] = []
  readonly #waiters: ((message: { data: Buffer; isBinary: boolean }) => void)[] = []

  private constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const message = { data, isBinary }
      const waiter = this.#waiters.shift()
      if (waiter === undefined) this.#queue.push(message)
      else waiter(message)
    })
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url)
    await once(ws, 'open')
    return new TestClient(ws)
  }

  next(timeoutMs = 2000): Promise<{ data: Buffer; isBinary: boolean }> {
    const queued = this.#queue.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(onMessage), 1)
        reject(new Error('no message arrived'))
      }, timeoutMs)
      const onMessage = (message: { data: Buffer; isBinary: boolean }) => {
        clearTimeout(timer)
        resolve(message)
      }
      this.#waiters.push(onMessage)
    })
  }

  async nextJson(): Promise<Record<string, unknown>> {
    const { data, isBinary } = await this.next()
    if (isBinary) throw new Error('expected a text message')
    return JSON.parse(data.toString()) as Record<string, unknown>
  }

  sendJson(message: unknown): void {
    this.ws.send(JSON.stringify(message))
  }

  /** Resolves true if nothing arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    if (this.#queue.length > 0) return false
    await new Promise((resolve) => setTimeout(resolve, ms))
    return this.#queue.length === 0
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    const closed = once(this.ws, 'close')
    this.ws.close()
    await closed
  }
}
