import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url))
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { default: string }> }

/** The source of each entry of package.json's `exports`, as an example imports it (`./dist/hub/index.js` → `../../src/hub/index.js`). */
const publicEntries = new Set(Object.values(pkg.exports).map((entry) => entry.default.replace(/^\.\/dist\//, '../../src/')))

test('examples import Sprocket only through its public API (the entries package.json exports)', () => {
  assert.ok(publicEntries.has('../../src/index.js') && publicEntries.has('../../src/hub/index.js'))
  const files = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))
  assert.ok(files.length >= 5)
  for (const file of files) {
    const source = readFileSync(join(examplesDir, file), 'utf8')
    for (const [, specifier] of source.matchAll(/from '([^']+)'/g)) {
      if (specifier === undefined || !specifier.startsWith('../')) continue
      assert.ok(publicEntries.has(specifier), `${file} imports ${specifier}`)
    }
  }
})
