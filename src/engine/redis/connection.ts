/**
 * The Redis engine's connection plumbing: connecting with a deadline, closing for good, Sentinel
 * routing, and telling "Redis is unreachable" apart from every other error.
 */
import type { Redis, RedisOptions } from 'ioredis'

/** Error texts that mean Redis cannot be reached or refuses writes right now (not our bug). */
const UNAVAILABLE = /^(OOM|READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Command timed out|MaxRetriesPerRequest|Reached the max retries/

/** True when an error's message says Redis is unreachable or refusing writes. */
export function isUnavailable(message: string): boolean {
  return UNAVAILABLE.test(message)
}

/** ioredis options that route through Redis Sentinel, when sentinels are configured. */
export function sentinelOptions(sentinels: readonly string[], name: string): RedisOptions {
  if (sentinels.length === 0) return {}
  return {
    name,
    failoverDetector: true,
    sentinels: sentinels.map((address) => {
      const colon = address.lastIndexOf(':')
      return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) }
    }),
  }
}

/** Connects a lazy connection, retrying, until ready or `timeoutMs` passed. */
export function ready(connection: Redis, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let lastError: unknown
    const onError = (error: unknown): void => {
      lastError = error
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`not reachable within ${timeoutMs} ms${lastError instanceof Error ? `: ${lastError.message}` : ''}`))
    }, timeoutMs)
    const onReady = (): void => {
      cleanup()
      resolve()
    }
    const cleanup = (): void => {
      clearTimeout(timer)
      connection.off('ready', onReady)
      connection.off('error', onError)
    }
    connection.on('ready', onReady)
    connection.on('error', onError)
    connection.connect().catch(onError)
  })
}

/** Closes a connection: QUIT when up, else drop it; resolves once the socket is gone. */
export async function quit(connection: Redis | undefined): Promise<void> {
  if (connection === undefined || connection.status === 'end') return
  if (connection.status === 'reconnecting' || connection.status === 'wait') {
    // No socket: dropping the pending reconnect is all there is to do (no `end` follows).
    connection.disconnect()
    return
  }
  let timer: NodeJS.Timeout | undefined
  const ended = new Promise<void>((resolve) => {
    connection.once('end', () => resolve())
    // `end` is not emitted again for a connection already on its way down.
    timer = setTimeout(resolve, 1_000)
  })
  if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect())
  else connection.disconnect()
  await ended
  clearTimeout(timer)
}
