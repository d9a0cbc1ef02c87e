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
  /** Publishes through the server HTTP API, as a site's backend would. */
  publish(channel: string, data: unknown): Promise<void>
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
  const api = async (method: string, body: unknown) => {
    const response = await fetch(`${url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} answered ${response.status}`)
    const answer = (await response.json()) as { error?: unknown }
    if (answer.error !== undefined) throw new Error(`${method} failed: ${JSON.stringify(answer.error)}`)
  }
  return {
    url,
    port: bound,
    dropConnections: (userId) => api('disconnect', { user: userId, disconnect: { code: 3011, reason: 'force reconnect' } }),
    publish: (channel, data) => api('publish', { channel, data }),
    async close() {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGTERM')
      const timer = setTimeout(() => serve.child.kill('SIGKILL'), 8000)
      await serve.exited
      clearTimeout(timer)
    },
  }
}
