/**
 * The default ceiling on open WebSocket connections, derived from the process's open-file limit:
 * every connection is a descriptor, and when descriptors run out first, `/healthz`, the server
 * API and the engine stop working too. Headroom is kept for them.
 */
import { readFileSync } from 'node:fs'

/** Used where the open-file limit cannot be read (not Linux). */
const FALLBACK_MAX_CONNECTIONS = 20_000

/** The process's open-file limit (soft), from /proc/self/limits; undefined where that is not readable. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((row) => row.startsWith('Max open files'))
    const soft = line?.split(/\s{2,}/)[1]
    if (soft === undefined) return undefined
    return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft)
  } catch {
    return undefined
  }
}

/** Connections allowed by default in this process: `maxConnectionsFor(openFileLimit())`. */
export function defaultMaxConnections(): number {
  return maxConnectionsFor(openFileLimit())
}

/**
 * Connections allowed under an open-file limit: the limit less a tenth of it (at least 256
 * descriptors) for HTTP requests, the server API, probes, the engine and log files.
 */
export function maxConnectionsFor(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return FALLBACK_MAX_CONNECTIONS
  const headroom = Math.max(256, Math.floor(limit / 10))
  return Math.max(1, limit - headroom)
}
