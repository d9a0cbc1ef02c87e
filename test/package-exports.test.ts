import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = new URL('../', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  name: string
  exports: Record<string, { types: string; default: string }>
}
const docs = readFileSync(new URL('docs/server.md', root), 'utf8')

/** The entry-point table of docs/server.md: import specifier → the names it documents. */
function documentedEntries(): Map<string, string[]> {
  const entries = new Map<string, string[]>()
  for (const [, specifier, names] of docs.matchAll(/^\| `(sprocket(?:\/[a-z]+)?)` \| [^|]+ \| ([^|]+) \|$/gm)) {
    if (specifier === undefined || names === undefined) continue
    entries.set(specifier, [...names.matchAll(/`(\w+)`/g)].map((match) => match[1] ?? ''))
  }
  return entries
}

/** `sprocket/hub` → `./hub`, the key of package.json's `exports`. */
const exportKey = (specifier: string) => `.${specifier.slice(pkg.name.length)}`

const built = existsSync(new URL('dist/index.js', root))
const needsBuild = built || process.env['CI'] === 'true' ? false : 'dist/ is not built (npm run build)'

describe('the package entry points (package.json exports)', () => {
  const entries = documentedEntries()

  test('docs/server.md documents the root and every subpath, and only those', () => {
    assert.deepEqual([...entries.keys()].map(exportKey).sort(), Object.keys(pkg.exports).sort())
  })

  test('each points at dist/<folder>/index.js and its .d.ts, built from src/<folder>/index.ts', () => {
    for (const [key, target] of Object.entries(pkg.exports)) {
      const match = /^\.\/dist\/(.+)\.js$/.exec(target.default)
      assert.ok(match?.[1] !== undefined, `${key}: ${target.default}`)
      assert.equal(target.types, `./dist/${match[1]}.d.ts`, key)
      assert.ok(existsSync(new URL(`src/${match[1]}.ts`, root)), `${key}: src/${match[1]}.ts`)
    }
  })

  test('each source module exports the names the docs list', async () => {
    for (const [specifier, names] of entries) {
      const source = pkg.exports[exportKey(specifier)]?.default.replace(/^\.\/dist\//, '../src/')
      assert.ok(source !== undefined, specifier)
      const module = (await import(source)) as Record<string, unknown>
      for (const name of names) assert.ok(module[name] !== undefined, `${specifier} exports ${name}`)
    }
  })

  test('after npm run build, each resolves by the package name and exports those names', { skip: needsBuild }, async () => {
    for (const [specifier, names] of entries) {
      const target = pkg.exports[exportKey(specifier)]
      assert.ok(target !== undefined)
      // Self-reference: inside the package, its own name resolves through `exports`.
      assert.equal(fileURLToPath(import.meta.resolve(specifier)), fileURLToPath(new URL(target.default, root)))
      assert.ok(existsSync(new URL(target.types, root)), target.types)
      const module = (await import(specifier)) as Record<string, unknown>
      for (const name of names) assert.ok(module[name] !== undefined, `${specifier} exports ${name} from dist/`)
    }
  })

  test('the embedding example in docs/server.md is examples/hub-publisher/server.ts with the package names', () => {
    const example = readFileSync(new URL('examples/hub-publisher/server.ts', root), 'utf8')
    const withPackageNames = example.replace(/'\.\.\/\.\.\/src\/([^']+)'/g, (_, path: string) => {
      const entry = Object.entries(pkg.exports).find(([, target]) => target.default === `./dist/${path}`)
      assert.ok(entry !== undefined, `examples/hub-publisher/server.ts imports src/${path}, which the package does not export`)
      return `'${pkg.name}${entry[0].slice(1)}'`
    })
    const block = /## Entry points: embedding the hub[\s\S]*?```ts\n([\s\S]*?)```/.exec(docs)?.[1]
    assert.equal(block, withPackageNames)
  })
})
