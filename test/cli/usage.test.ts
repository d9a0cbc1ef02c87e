import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { repoRoot, runCli } from './cli-process.js'

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
const dir = mkdtempSync(join(tmpdir(), 'sprocket-cli-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('sprocket command line', () => {
  test('--version prints the package version', async () => {
    const result = await runCli(['--version'])
    assert.equal(result.status, 0)
    assert.equal(result.stdout.trim(), version)
  })

  test('--help lists the commands and exits 0', async () => {
    const result = await runCli(['--help'])
    assert.equal(result.status, 0)
    assert.match(result.stdout, /Usage: sprocket/)
    assert.match(result.stdout, /serve/)
  })

  test('serve --help describes the flags', async () => {
    const result = await runCli(['serve', '--help'])
    assert.equal(result.status, 0)
    for (const flag of ['--config', '--host', '--port', '--data-dir', '--log-level', '--engine']) assert.ok(result.stdout.includes(flag), flag)
  })

  test('no command prints usage and exits 2', async () => {
    const result = await runCli([])
    assert.equal(result.status, 2)
    assert.match(result.stderr, /Usage: sprocket/)
  })

  test('an unknown command or flag is a usage error (exit 2)', async () => {
    const results = await Promise.all([runCli(['launch']), runCli(['--frobnicate']), runCli(['serve', '--prot', '80']), runCli(['serve', 'extra'])])
    for (const result of results) {
      assert.equal(result.status, 2, result.stderr)
      assert.match(result.stderr, /sprocket --help/)
    }
  })

  test('a bad config exits 2 naming the field path', async () => {
    const configPath = join(dir, 'bad.json')
    writeFileSync(configPath, JSON.stringify({ limits: { maxMessageBytes: 'big' } }))
    const fromFile = await runCli(['serve', '--config', configPath])
    assert.equal(fromFile.status, 2)
    assert.match(fromFile.stderr, /limits\.maxMessageBytes/)

    const fromEnv = await runCli(['serve'], { env: { SPROCKET_PORT: 'eighty' } })
    assert.equal(fromEnv.status, 2)
    assert.match(fromEnv.stderr, /port \(from SPROCKET_PORT\)/)

    const fromFlag = await runCli(['serve', '--log-level', 'loud'])
    assert.equal(fromFlag.status, 2)
    assert.match(fromFlag.stderr, /logLevel \(from --log-level\)/)
  })

  test('an unknown field, bad JSON or a missing file exits 2', async () => {
    const unknown = join(dir, 'unknown.json')
    writeFileSync(unknown, JSON.stringify({ keepalive: { intervalMillis: 5 } }))
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ "port": ')
    const results = await Promise.all([
      runCli(['serve', '--config', unknown]),
      runCli(['serve', '--config', broken]),
      runCli(['serve'], { env: { SPROCKET_CONFIG: join(dir, 'missing.json') } }),
    ])
    assert.deepEqual(results.map((r) => r.status), [2, 2, 2])
    assert.match(results[0]?.stderr ?? '', /keepalive\.intervalMillis/)
  })
})
