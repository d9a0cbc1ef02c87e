/**
 * Values set from outside the config file (flags, environment): text conversion and placement by path.
 */
import type { EnvKind } from './env-bindings.js'

/** One value set from outside the config file (a flag or an environment variable). */
export type Override = {
  /** Dotted config path. */
  path: string
  value: unknown
  /** `--port`, `SPROCKET_PORT`: named in errors so the user knows what to fix. */
  source: string
}

/**
 * Turns text from a flag or variable into the kind of value the field expects. Text that does
 * not convert is passed through unchanged, so the schema rejects it with the field's path.
 */
export function convertText(text: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'string':
      return text
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      return text
    case 'list':
      return text.split(',').map((item) => item.trim()).filter((item) => item !== '')
    default: {
      const unknownKind: never = kind
      throw new Error(`unknown kind ${String(unknownKind)}`)
    }
  }
}

/** Sets `path` in `target`, creating (or replacing non-object) intermediate sections. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop()
  if (last === undefined) return
  let node = target
  for (const key of keys) {
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {}
      node[key] = created
      node = created
    } else {
      node = next as Record<string, unknown>
    }
  }
  node[last] = value
}
