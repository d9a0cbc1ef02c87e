import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url))

/** What each layer may import besides itself and `errors.ts` (docs: ARCHITECTURE, "Layers and their folders"). */
const allowed: Record<string, readonly string[]> = {
  http: ['hub', 'protocol', 'auth', 'engine', 'server'],
  hub: ['engine'],
  auth: [],
}

/** The top-level `src/` entry a relative import of `file` points at (a folder name, or a file such as `errors.ts`). */
function layerOf(file: string, specifier: string): string {
  const target = relative(srcDir, resolve(dirname(file), specifier))
  return target.split(/[\\/]/)[0] ?? ''
}

for (const [layer, mayImport] of Object.entries(allowed)) {
  test(`src/${layer} imports only ${mayImport.length === 0 ? 'errors.ts' : mayImport.join(', ')}`, () => {
    const dir = join(srcDir, layer)
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))
    assert.ok(files.length > 0)
    for (const file of files) {
      const path = join(dir, file)
      const source = readFileSync(path, 'utf8')
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        if (specifier === undefined) continue
        const target = layerOf(path, specifier)
        if (target === layer || target === 'errors.js') continue
        assert.ok(mayImport.includes(target), `src/${layer}/${file} imports ${specifier} (layer ${target})`)
      }
    }
  })
}
