/**
 * docs/protocol.md "First steps against `npm start`", run as written: the default server (demo
 * mode, with the server API key the page adds for publishing), `sprocket token --user alice`
 * in the same working directory, the page's script with that token, and the page's publish.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { cleanEnv, repoRoot, runCli, ServeProcess } from './cli-process.js'

const page = readFileSync(join(repoRoot, 'docs', 'protocol.md'), 'utf8')
const section = page.split('## First steps against `npm start`')[1]?.split('\n## ')[0] ?? ''

function codeBlock(language: string): string {
  const block = section.split(`\`\`\`${language}\n`)[1]?.split('```')[0]
  assert.ok(block !== undefined, `the section has a ${language} block`)
  return block
}

test('the first steps of docs/protocol.md work on the default server', async () => {
  assert.match(codeBlock('sh'), /^npm start .*\nnode bin\/sprocket\.js token --user alice /)
  const publish = section.match(/`curl -H 'X-API-Key: dev-key' -d '(\{.*\})' http:\/\/localhost:8080\/api\/publish`/)
  assert.ok(publish?.[1] !== undefined, 'the publish command')

  const cwd = mkdtempSync(join(tmpdir(), 'sprocket-first-steps-'))
  const server = new ServeProcess(['--port', '0'], { cwd, env: { SPROCKET_API_KEY: 'dev-key' } })
  try {
    const port = await server.port()
    const token = await runCli(['token', '--user', 'alice'], { cwd })
    assert.equal(token.status, 0, token.stderr)

    // The script, with the server's port; it lives under node_modules so `centrifuge` and `ws` resolve.
    const scriptDir = join(repoRoot, 'node_modules', '.cache', 'sprocket-first-steps')
    mkdirSync(scriptDir, { recursive: true })
    const script = join(scriptDir, `first-steps-${process.pid}.mjs`)
    writeFileSync(script, codeBlock('js').replace('localhost:8080', `localhost:${port}`))
    const child = spawn(process.execPath, [script, token.stdout.trim()], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      assert.equal((await lines.next()).value, 'subscribed to news')
      const response = await fetch(`http://localhost:${port}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': 'dev-key' },
        body: publish[1],
      })
      assert.equal(response.status, 200)
      assert.equal(((await response.json()) as { result: { offset: number } }).result.offset, 1)
      assert.equal((await lines.next()).value, "publication { text: 'hi' }")
    } finally {
      child.kill()
      rmSync(script, { force: true })
    }
  } finally {
    await server.stop()
    rmSync(cwd, { recursive: true, force: true })
  }
})
