import type { CpuSample } from './child.js'

/** What a benchmark server offers its orchestrator. */
export type ChildServer = {
  port: number
  /** Extra commands, e.g. `subscribers` or `publish`. */
  commands: Record<string, (args: unknown) => unknown>
  /** Open WebSocket connections (the orchestrator waits for 0 between runs). */
  connections(): number
  close(): Promise<void>
}

/**
 * The child side of `startServerChild`: builds the server from the JSON options in argv[2],
 * reports its port, then answers commands over IPC. Built-in commands: `cpu`, `connections`, `stop`.
 */
export async function serveChild(start: (options: Record<string, unknown>) => Promise<ChildServer>): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>
  const server = await start(options)
  const builtins: Record<string, (args: unknown) => unknown> = {
    cpu: (): CpuSample => {
      const usage = process.cpuUsage()
      return { userUs: usage.user, systemUs: usage.system, atMs: performance.now() + performance.timeOrigin }
    },
    connections: () => server.connections(),
  }
  process.on('message', (message: { id: number; command: string; args?: unknown }) => {
    if (message.command === 'stop') {
      void server.close().finally(() => process.exit(0))
      return
    }
    const handler = builtins[message.command] ?? server.commands[message.command]
    if (handler === undefined) {
      process.send?.({ id: message.id, error: `unknown command ${message.command}` })
      return
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => process.send?.({ id: message.id, result }),
        (error: unknown) => process.send?.({ id: message.id, error: String((error as Error)?.stack ?? error) }),
      )
  })
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'listening', port: server.port })
}
