import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url))

test('examples import Sprocket only through its public API (src/index.ts)', () => {
  const files = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))
  assert.ok(files.length >= 5)
  for (const file of files) {
    const source = readFileSync(join(examplesDir, file), 'utf8')
    for (const [, specifier] of source.matchAll(/from '([^']+)'/g)) {
      if (specifier === undefined || !specifier.startsWith('../')) continue
      assert.equal(specifier, '../../src/index.js', `${file} imports ${specifier}`)
    }
  }
})
