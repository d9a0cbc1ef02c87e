/**
 * Certificate rotation without a restart: on SIGHUP `sprocket serve` re-reads `tls.cert` and
 * `tls.key` and hands them to the App, so renewed certificates (certbot, an ACME client) take
 * effect for new connections while open ones stay up.
 */
import { readFile } from 'node:fs/promises'
import type { Logger } from '../logger.js'
import type { App } from '../server/app.js'

export type TlsPaths = { readonly cert: string; readonly key: string }

/**
 * Re-reads both files and swaps the certificate. Any failure (unreadable file, a key that does
 * not match the certificate) is logged at error and the certificate in use stays.
 */
export async function reloadTls(app: App, paths: TlsPaths, logger: Logger): Promise<boolean> {
  try {
    const [cert, key] = await Promise.all([readFile(paths.cert), readFile(paths.key)])
    app.reloadTls({ cert, key })
  } catch (error) {
    logger.error({ err: error, cert: paths.cert, key: paths.key }, 'TLS reload failed: keeping the current certificate')
    return false
  }
  logger.info({ cert: paths.cert, key: paths.key }, 'TLS certificate reloaded')
  return true
}

/**
 * Reloads the certificate on every `signal` (SIGHUP by default) once `app` has started. Installed
 * before the server starts, so a signal that arrives while it starts (a renewal hook racing a
 * restart) is handled after the start instead of ending the process; none is handled if the
 * start fails.
 */
export function reloadTlsOnSignal(app: Promise<App>, paths: TlsPaths, logger: Logger, signal: NodeJS.Signals = 'SIGHUP'): void {
  const started = app.then((value) => value, () => undefined)
  process.on(signal, () => {
    void started.then((value) => (value === undefined ? undefined : reloadTls(value, paths, logger)))
  })
}
