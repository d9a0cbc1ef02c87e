/**
 * Start-up failures an operator can fix, told in one line that names the cause and the fix
 * instead of a stack trace: the port is taken or forbidden, the host is not this machine's, the
 * data directory is held by another Sprocket.
 */
import type { Config } from '../config/index.js'
import { DataFileInUseError } from '../engine/index.js'

/** The one-line explanation of `error`, or undefined when it is not a failure the operator can fix. */
export function explainStartupFailure(error: unknown, config: Pick<Config, 'host' | 'port' | 'dataDir'>): string | undefined {
  if (error instanceof DataFileInUseError) {
    return `the data directory ${config.dataDir} is in use by another Sprocket (${error.file} is locked): stop the other server, or give this one its own --data-dir (SPROCKET_DATA_DIR)`
  }
  const { code, syscall, port, address } = error as { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown }
  if (syscall !== 'listen') return undefined
  const host = typeof address === 'string' ? address : config.host
  const where = `port ${typeof port === 'number' ? port : config.port} on ${host}`
  switch (code) {
    case 'EADDRINUSE':
      return `${where} is already in use by another process: stop that process, or choose another port (--port, SPROCKET_PORT or "port" in the config file)`
    case 'EACCES':
      return `no permission to listen on ${where}: ports below 1024 need privileges; listen on a port of 1024 or above and let the web server in front proxy to it (docs/deploy.md)`
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine; use 0.0.0.0 for every interface or 127.0.0.1 for this machine only (--host, SPROCKET_HOST)`
    default:
      return undefined
  }
}
