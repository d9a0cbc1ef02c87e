/**
 * The effective configuration as `sprocket config print` shows it: every value with where it came
 * from (a flag, a variable, the config file or the default), secrets masked.
 */
import type { ResolvedConfig } from './load-config.js'

/** One value of the effective configuration. */
export type ConfigEntry = { path: string; value: unknown; source: string }

/** Last path segments that hold secrets; their values are never printed. */
const secretNames = new Set(['secret', 'tokenSecret', 'token', 'password'])
/** Whole paths that hold secrets besides those. */
const secretPaths = new Set(['api.key'])

/** Every leaf of the effective configuration (arrays are leaves), in schema order, masked. */
export function configEntries(resolved: ResolvedConfig): ConfigEntry[] {
  const entries: ConfigEntry[] = []
  const walk = (value: unknown, path: string[]): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key])
      return
    }
    const dotted = path.join('.')
    entries.push({ path: dotted, value: masked(path, value), source: sourceOf(dotted, path, resolved) })
  }
  walk(resolved.config, [])
  return entries
}

function sourceOf(dotted: string, path: string[], resolved: ResolvedConfig): string {
  let found: string | undefined
  for (const override of resolved.overrides) {
    if (override.path === dotted || dotted.startsWith(`${override.path}.`) || override.path.startsWith(`${dotted}.`)) found = override.source
  }
  if (found !== undefined) return found
  if (resolved.fileSource !== undefined && hasPath(resolved.fileValues, path)) return resolved.fileSource
  return 'default'
}

function hasPath(values: unknown, path: string[]): boolean {
  let node = values
  for (const key of path) {
    if (!isPlainObject(node) || !(key in node)) return false
    node = node[key]
  }
  return true
}

/** Secrets become `"********"`; a URL keeps everything but its password. */
function masked(path: string[], value: unknown): unknown {
  if (value === undefined || value === null) return value
  const last = path[path.length - 1] ?? ''
  if (secretNames.has(last) || secretPaths.has(path.join('.'))) return '********'
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(value)) {
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1********@')
  }
  if (Array.isArray(value)) return value.map((item) => (isPlainObject(item) ? maskObject(item) : item))
  return value
}

/** Array items that are objects (Pusher apps): their secret fields masked. */
function maskObject(item: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(item)) copy[key] = masked([key], value)
  return copy
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
