import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTokenVerifier } from '../../src/auth/token-verifier.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const SECRET = 'cli-test-secret-0123456789abcdef'

type Run = { code: number; stdout: string; stderr: string }

function sprocket(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SPROCKET_')))
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...cleanEnv, ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

test('sprocket token prints a token the verifier accepts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-token-'))
  try {
    const configPath = join(dir, 'sprocket.json')
    writeFileSync(configPath, JSON.stringify({ client: { tokenSecret: 'from-file-secret-0123456789', audience: 'site' } }))
    const noChatPath = join(dir, 'no-chat.json')
    writeFileSync(noChatPath, JSON.stringify({ chat: { enabled: false } }))
    const [fromEnv, withInfo, forever, fromFile, noSecret, badInfo, badTtl, noUser, demo] = await Promise.all([
      sprocket(['token', '--user', '42'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token', '--user', '7', '--ttl', '60', '--info', '{"name":"Ann"}'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token', '--user', '8', '--ttl', '0'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token', '--user', '9', '--config', configPath]),
      sprocket(['token', '--user', '42', '--config', noChatPath, '--data-dir', join(dir, 'no-chat-data')]),
      sprocket(['token', '--user', '42', '--info', '{nope'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token', '--user', '42', '--ttl', 'soon'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token'], { SPROCKET_TOKEN_SECRET: SECRET }),
      sprocket(['token', '--user', 'alice', '--data-dir', join(dir, 'demo-data')]),
    ])

    const verifier = createTokenVerifier({ tokenSecret: SECRET })
    assert.equal(fromEnv.code, 0, fromEnv.stderr)
    const claims = await verifier.verifyConnectionToken(fromEnv.stdout.trim())
    assert.equal(claims.sub, '42')
    const now = Math.floor(Date.now() / 1000)
    assert.ok(claims.exp !== undefined && claims.exp > now + 3500 && claims.exp <= now + 3600)

    assert.equal(withInfo.code, 0, withInfo.stderr)
    const infoClaims = await verifier.verifyConnectionToken(withInfo.stdout.trim())
    assert.deepEqual(infoClaims.info, { name: 'Ann' })
    assert.ok(infoClaims.exp !== undefined && infoClaims.exp <= now + 60 + 5)

    assert.equal(forever.code, 0, forever.stderr)
    assert.equal((await verifier.verifyConnectionToken(forever.stdout.trim())).exp, undefined)

    assert.equal(fromFile.code, 0, fromFile.stderr)
    const fileVerifier = createTokenVerifier({ tokenSecret: 'from-file-secret-0123456789', audience: 'site' })
    assert.equal((await fileVerifier.verifyConnectionToken(fromFile.stdout.trim())).sub, '9')

    // Demo mode (no key configured): signed with the demo secret `sprocket serve` would use.
    assert.equal(demo.code, 0, demo.stderr)
    assert.match(demo.stderr, /^sprocket: demo mode: signed with the demo secret in .*demo-data\/demo-secret/)
    const demoSecret = readFileSync(join(dir, 'demo-data', 'demo-secret'), 'utf8').trim()
    assert.equal((await createTokenVerifier({ tokenSecret: demoSecret }).verifyConnectionToken(demo.stdout.trim())).sub, 'alice')

    for (const failed of [noSecret, badInfo, badTtl, noUser]) {
      assert.equal(failed.code, 2, failed.stderr)
      assert.equal(failed.stdout, '')
      assert.notEqual(failed.stderr, '')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
