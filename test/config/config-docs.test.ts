import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { configSchema, envBindings, loadConfig } from '../../src/config/index.js'

const docs = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')

/** The parts of zod's internal definition this walk needs. */
type SchemaNode = { _zod: { def: { type: string; innerType?: SchemaNode; shape?: Record<string, SchemaNode> } } }
const wrappers = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'])

/** Dotted path of every field the schema accepts, optional ones included (records count as one field). */
function fieldPaths(schema: SchemaNode, prefix = ''): string[] {
  const def = schema._zod.def
  if (def.innerType !== undefined && wrappers.has(def.type)) return fieldPaths(def.innerType, prefix)
  if (def.type === 'object' && def.shape !== undefined) {
    return Object.entries(def.shape).flatMap(([key, child]) => fieldPaths(child, prefix === '' ? key : `${prefix}.${key}`))
  }
  return [prefix]
}

describe('docs/config.md', () => {
  test('its complete file is exactly the defaults', () => {
    const match = /A complete file with every default written out:\n\n```json\n([\s\S]*?)```/.exec(docs)
    assert.ok(match?.[1] !== undefined, 'the defaults block is present')
    assert.deepEqual(JSON.parse(match[1]), JSON.parse(JSON.stringify(loadConfig({ env: {} }))))
  })

  test('describes every field the schema accepts', () => {
    const paths = fieldPaths(configSchema as unknown as SchemaNode)
    assert.ok(paths.includes('limits.maxMessageBytes') && paths.includes('tls.cert'), 'the walk reaches nested fields')
    // Namespace options are documented once for `default` and every named namespace.
    const missing = paths.filter((path) => !docs.includes(`\`${path}\``) && !docs.includes(`\`${path.replace(/^channels\.default\./, '')}\``))
    assert.deepEqual(missing, [])
  })

  test('lists every environment variable', () => {
    for (const binding of envBindings) assert.ok(docs.includes(`\`${binding.name}\``), binding.name)
    assert.ok(docs.includes('`SPROCKET_CONFIG`'))
  })
})
