import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from './cli-process.js'

test('npm start builds, and the build compiles nothing when dist/ is up to date', () => {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  assert.equal(scripts['start'], 'npm run build && node bin/sprocket.js serve')
  const build = (): void => void execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'ignore' })
  build()
  const output = join(repoRoot, 'dist', 'cli', 'main.js')
  const builtAt = statSync(output).mtimeMs
  build()
  assert.equal(statSync(output).mtimeMs, builtAt, 'the second build wrote dist/ again')
})
