/** The demo sign-in secret, created once in the data directory so tokens survive a restart. */
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** File in the data directory that holds the demo token secret. */
export const demoSecretFile = 'demo-secret'

/**
 * The HMAC secret demo sign-in signs tokens with when no `client.tokenSecret` is configured:
 * read from `<dataDir>/demo-secret`, or created there (32 random bytes, hex, mode 0600) on first
 * use. Kept per data directory so demo users stay signed in across restarts. The connection
 * verifier must be given the same secret.
 */
export function loadDemoSecret(dataDir: string): string {
  const file = join(dataDir, demoSecretFile)
  try {
    const existing = readFileSync(file, 'utf8').trim()
    if (existing.length >= 32) return existing
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return secret
}
