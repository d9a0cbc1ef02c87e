/**
 * The engine's Lua scripts (`lua/*.lua`), read once and defined on a connection as commands that
 * ioredis runs with EVALSHA (falling back to EVAL when Redis lost its script cache).
 */
import { readFileSync } from 'node:fs'
import type { Redis, Result } from 'ioredis'

type Arg = string | number

declare module 'ioredis' {
  interface RedisCommander<Context> {
    sprocketPublish(stream: string, meta: string, result: string, ...argv: Arg[]): Result<[number, string, number], Context>
    sprocketHistory(stream: string, meta: string, ...argv: Arg[]): Result<[number, string, Array<[string, string[]]>], Context>
    sprocketTouchMeta(meta: string): Result<number, Context>
    sprocketPresenceAdd(data: string, expire: string, users: string, ...argv: Arg[]): Result<number, Context>
    sprocketPresenceRemove(data: string, expire: string, users: string, ...argv: Arg[]): Result<number | null, Context>
    sprocketPresenceGet(data: string, expire: string, users: string, ...argv: Arg[]): Result<string[], Context>
    sprocketPresenceStats(data: string, expire: string, users: string, ...argv: Arg[]): Result<[number, number], Context>
    sprocketUserConnections(data: string, expire: string, users: string, ...argv: Arg[]): Result<number, Context>
  }
}

function lua(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')
}

/** Read at first use, then kept: the files ship next to the compiled module (see package.json `build`). */
let sources: Record<string, { numberOfKeys: number; lua: string }> | undefined

function scriptSources(): Record<string, { numberOfKeys: number; lua: string }> {
  if (sources !== undefined) return sources
  const purge = lua('presence-purge')
  const presence = (name: string): { numberOfKeys: number; lua: string } => ({ numberOfKeys: 3, lua: `${purge}\n${lua(name)}` })
  sources = {
    sprocketPublish: { numberOfKeys: 3, lua: lua('publish') },
    sprocketHistory: { numberOfKeys: 2, lua: lua('history') },
    sprocketTouchMeta: { numberOfKeys: 1, lua: lua('touch-meta') },
    sprocketPresenceAdd: presence('presence-add'),
    sprocketPresenceRemove: presence('presence-remove'),
    sprocketPresenceGet: presence('presence-get'),
    sprocketPresenceStats: presence('presence-stats'),
    sprocketUserConnections: presence('user-connections'),
  }
  return sources
}

/** Defines every script as a command of `client` (and of its pipelines). */
export function defineScripts(client: Redis): void {
  for (const [name, definition] of Object.entries(scriptSources())) client.defineCommand(name, definition)
}
