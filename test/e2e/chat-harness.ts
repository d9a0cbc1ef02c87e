import { randomBytes } from 'node:crypto'
import { ServeProcess } from '../cli/cli-process.js'

/** Options Chromium needs on this machine (and CI): no sandbox, no GPU, nothing phoning home. */
export const chromiumOptions = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

export type ChatServer = {
  url: string
  port: number
  /** Closes the user's connections from the server side with a code that lets clients reconnect. */
  dropConnections(userId: string): Promise<void>
  /** Graceful stop (SIGTERM), as an operator restarting the server would. */
  close(): Promise<void>
}

/**
 * `sprocket serve` as a child process on 127.0.0.1, in demo mode (no token key) with the server
 * API enabled so the test can drop connections. `port` 0 picks a free one; pass the old port to
 * restart in place, so open pages reconnect to the new process.
 */
export async function startChatServer(dataDir: string, port = 0): Promise<ChatServer> {
  const apiKey = randomBytes(12).toString('hex')
  const serve = new ServeProcess(['--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--log-level', 'info'], {
    env: { SPROCKET_API_KEY: apiKey },
  })
  let bound: number
  try {
    bound = await serve.port()
  } catch (error) {
    await serve.stop()
    throw error
  }
  const url = `http://127.0.0.1:${bound}`
  return {
    url,
    port: bound,
    async dropConnections(userId) {
      const response = await fetch(`${url}/api/disconnect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ user: userId, disconnect: { code: 3011, reason: 'force reconnect' } }),
      })
      if (!response.ok) throw new Error(`disconnect answered ${response.status}`)
      const body = (await response.json()) as { error?: unknown }
      if (body.error !== undefined) throw new Error(`disconnect failed: ${JSON.stringify(body.error)}`)
    },
    async close() {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM')
      const timer = setTimeout(() => serve.child.kill('SIGKILL'), 8000)
      await serve.exited
      clearTimeout(timer)
    },
  }
}
