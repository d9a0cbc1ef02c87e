/**
 * The pieces every proxy test shares: free ports, a web server run as a child process that the
 * test can stop and start again, HTTPS requests that trust the test CA, and a WebSocket class for
 * the `centrifuge` client that trusts it too and connects from a chosen loopback address (so the
 * client's address differs from the proxy's and the server can tell them apart).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:https'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket, type ClientOptions } from 'ws'

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the proxy exited with status ${child.exitCode} before listening`)
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (accepted) return
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`)
    await sleep(50)
  }
}

/** A web server in the foreground: `start()` spawns `command`, `stop()` sends SIGTERM and waits. */
export class ProxyProcess {
  #child: ChildProcess | undefined
  #stderr = ''

  constructor(readonly command: string, readonly args: readonly string[], readonly port: number) {}

  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk))
    this.#child = child
    try {
      await waitForPort(this.port, child)
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.#stderr}`)
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal)
  }

  /** Fast shutdown: the server closes its connections, as a restart does. */
  async stop(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
}

export type HttpsAnswer = { status: number; body: string }

/** An HTTPS request to 127.0.0.1:port trusting `ca`. */
export function httpsRequest(port: number, ca: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A `ws` WebSocket class (the shape `centrifuge` constructs) that trusts `ca` and connects from `localAddress`. */
export function trustingWebSocket(ca: string, localAddress: string): new (address: string, protocols?: string | string[]) => WebSocket {
  const extra: ClientOptions = { ca, localAddress }
  return class TrustingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols ?? [], extra)
    }
  }
}
