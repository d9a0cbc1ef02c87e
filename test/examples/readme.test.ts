import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config/index.js'

const root = new URL('../../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1] ?? '')
}

describe('README', () => {
  test('opens with npm install && npm start, then npm test', () => {
    const shell = codeBlocks('sh')
    assert.equal(shell[0]?.trim(), 'npm install && npm start')
    assert.equal(shell[1]?.trim(), 'npm test')
  })

  test('the framework example is examples/echo/server.ts, which the echo test runs', () => {
    const example = readFileSync(new URL('examples/echo/server.ts', root), 'utf8')
    assert.equal(codeBlocks('ts')[0], example)
  })

  test('the sample config file loads', () => {
    const [sample] = codeBlocks('json')
    assert.ok(sample !== undefined)
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-readme-'))
    try {
      const configPath = join(dir, 'sprocket.json')
      writeFileSync(configPath, sample)
      const config = loadConfig({ env: {}, configPath })
      assert.deepEqual(config.allowedOrigins, ['https://chat.example.com'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('every npm script it names exists', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] ?? '')
    assert.ok(named.length > 0)
    for (const script of named) assert.ok(script in pkg.scripts, `npm run ${script}`)
  })

  test('every relative link points at a file', () => {
    const links = [...readme.matchAll(/\]\(((?:docs|examples)\/[^)#]+)\)/g)].map((match) => match[1] ?? '')
    assert.ok(links.length > 0)
    for (const link of links) assert.ok(existsSync(new URL(link, root)), link)
  })
})
