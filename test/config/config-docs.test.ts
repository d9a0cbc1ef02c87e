import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { configSchema, envBindings, loadConfig } from '../../src/config/index.js'

const docs = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')

/** Dotted paths of every leaf in a parsed config (records such as `channels.namespaces` count as leaves). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return [prefix]
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`))
}

describe('docs/config.md', () => {
  test('its complete file is exactly the defaults', () => {
    const match = /A complete file with every default written out:\n\n```json\n([\s\S]*?)```/.exec(docs)
    assert.ok(match?.[1] !== undefined, 'the defaults block is present')
    assert.deepEqual(JSON.parse(match[1]), JSON.parse(JSON.stringify(loadConfig({ env: {} }))))
  })

  test('names every section and every defaulted field', () => {
    for (const section of Object.keys(configSchema.shape)) assert.ok(docs.includes(`\`${section}`), section)
    for (const path of leafPaths(loadConfig({ env: {} }))) {
      const leaf = path.split('.').at(-1) ?? path
      assert.ok(docs.includes(`\`${path}\``) || docs.includes(`\`${leaf}\``), path)
    }
  })

  test('lists every environment variable', () => {
    for (const binding of envBindings) assert.ok(docs.includes(`\`${binding.name}\``), binding.name)
    assert.ok(docs.includes('`SPROCKET_CONFIG`'))
  })
})
