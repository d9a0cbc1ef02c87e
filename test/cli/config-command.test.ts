import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { repoRoot, runCli } from './cli-process.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-config-command-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function configFile(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(content))
  return path
}

describe('sprocket config', () => {
  test('check: a valid configuration exits 0 and names the file; a bad one lists every bad field and exits 2', async () => {
    const good = configFile('good.json', { port: 9001 })
    const valid = await runCli(['config', 'check', '--config', good])
    assert.equal(valid.status, 0, valid.stderr)
    assert.equal(valid.stdout, `configuration is valid (${good})\n`)
    const bad = configFile('bad.json', { limits: { maxMessageBytes: -1, maxFragments: 'many' } })
    const invalid = await runCli(['config', 'check', '--config', bad], { env: { SPROCKET_PROT: '1' } })
    assert.equal(invalid.status, 2)
    assert.match(invalid.stderr, /unknown variable SPROCKET_PROT ignored \(did you mean SPROCKET_PORT\?\)/)
    assert.match(invalid.stderr, /invalid configuration:\n/)
    assert.match(invalid.stderr, /limits\.maxMessageBytes/)
    assert.match(invalid.stderr, /limits\.maxFragments/)
    const misspelled = await runCli(['config', 'check', '--config', configFile('misspelled.json', { prot: 1 })])
    assert.equal(misspelled.status, 2)
    assert.match(misspelled.stderr, /prot.*unknown field/)
    assert.equal((await runCli(['config', 'frobnicate'])).status, 2)
  })

  test('docs/cli.md: the documented print command prints the documented lines', async () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8').split('## `sprocket config`')[1] ?? ''
    const command = docs.match(/```sh\nSPROCKET_API_KEY=change-me node bin\/sprocket\.js (config print --port 9000)\n```/)
    assert.ok(command?.[1] !== undefined)
    const printed = await runCli(command[1].split(' '), { env: { SPROCKET_API_KEY: 'change-me' } })
    const shown = (docs.match(/```text\n([^`]*)```/)?.[1] ?? '').split('\n').filter((line) => line !== '' && line !== '…')
    assert.equal(shown.length, 3)
    for (const line of shown) assert.ok(printed.stdout.split('\n').includes(line), line)
  })

  test('print: every value with its source, secrets masked', async () => {
    const file = configFile('print.json', {
      host: '127.0.0.1',
      client: { tokenSecret: 'file-secret-0123456789abcdef' },
      engine: { type: 'redis', redis: { url: 'redis://app:hunter2@redis.internal:6379/0' } },
      pusher: { apps: [{ id: '1', key: 'public-key', secret: 'pusher-secret-0123456789' }] },
    })
    const printed = await runCli(['config', 'print', '--config', file, '--port', '9002'], {
      env: { SPROCKET_API_KEY: 'api-key-0123456789abcdef', SPROCKET_DATA_DIR: '/srv/sprocket' },
    })
    assert.equal(printed.status, 0, printed.stderr)
    const lines = printed.stdout.split('\n')
    const line = (path: string) => lines.find((text) => text.startsWith(`${path} = `))
    assert.equal(line('port'), 'port = 9002  # --port')
    assert.equal(line('dataDir'), 'dataDir = "/srv/sprocket"  # SPROCKET_DATA_DIR')
    assert.equal(line('host'), `host = "127.0.0.1"  # ${file}`)
    assert.equal(line('logLevel'), 'logLevel = "info"  # default')
    assert.equal(line('api.key'), 'api.key = "********"  # SPROCKET_API_KEY')
    assert.equal(line('client.tokenSecret'), `client.tokenSecret = "********"  # ${file}`)
    assert.equal(line('engine.redis.url'), `engine.redis.url = "redis://app:********@redis.internal:6379/0"  # ${file}`)
    assert.match(line('pusher.apps') ?? '', /"key":"public-key"/)
    for (const secret of ['api-key-0123456789abcdef', 'file-secret', 'hunter2', 'pusher-secret']) {
      assert.ok(!printed.stdout.includes(secret), `${secret} is not printed`)
    }
  })
})
