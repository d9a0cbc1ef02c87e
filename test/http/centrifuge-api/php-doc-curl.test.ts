import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Centrifuge, type PublicationContext } from 'centrifuge'
import { pino } from 'pino'
import WebSocket from 'ws'
import { createTokenVerifier } from '../../../src/auth/token-verifier.js'
import { signConnectionToken } from '../../../src/auth/sign-token.js'
import { mountCentrifuge } from '../../../src/components/centrifuge/mount-centrifuge.js'
import type { CentrifugeComponent } from '../../../src/components/centrifuge/centrifuge-component.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { createHub, type Hub } from '../../../src/hub/hub.js'
import { mountServerApi } from '../../../src/http/centrifuge-api/server-api.js'
import { App } from '../../../src/server/app.js'
import type { Engine } from '../../../src/engine/types.js'

const TOKEN_SECRET = 'php-doc-token-secret-0123456789'
const API_KEY = 'php-doc-api-key-0123456789'

/** The shell block that follows `<!-- doc-test: publish-curl -->` in the PHP guide. */
function curlBlock(): string {
  const doc = readFileSync(new URL('../../../docs/integrations/php.md', import.meta.url), 'utf8')
  const match = /<!-- doc-test: publish-curl -->\s*```sh\n([\s\S]*?)```/.exec(doc)
  assert.ok(match?.[1], 'the curl block is missing from docs/integrations/php.md')
  assert.match(match[1], /^curl /)
  return match[1]
}

function runShell(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
}

let engine: Engine
let hub: Hub
let app: App
let component: CentrifugeComponent
let baseUrl: string

before(async () => {
  engine = createMemoryEngine()
  hub = await createHub(engine, {}, pino({ level: 'silent' }))
  app = new App({ port: 0, host: '127.0.0.1', keepaliveIntervalMs: 0 })
  component = mountCentrifuge(app, { hub, auth: createTokenVerifier({ tokenSecret: TOKEN_SECRET }), logger: pino({ level: 'silent' }) })
  mountServerApi(app, { hub, apiKey: API_KEY, logger: pino({ level: 'silent' }) })
  await app.listen()
  baseUrl = `http://127.0.0.1:${app.port}`
})

after(async () => {
  component.close()
  await app.close({ timeoutMs: 1000 })
  await hub.close()
  await engine.close()
})

test("the PHP guide's curl command publishes to a centrifuge-js subscriber", async () => {
  const script = curlBlock().replaceAll('http://localhost:8080', baseUrl)
  assert.ok(script.includes(baseUrl), 'the block targets http://localhost:8080')

  const token = await signConnectionToken({ secret: TOKEN_SECRET, sub: '42', ttlSeconds: 600 })
  const client = new Centrifuge(`ws://127.0.0.1:${app.port}/connection/websocket`, { websocket: WebSocket, token })
  try {
    const received: unknown[] = []
    const sub = client.newSubscription('news')
    sub.on('publication', (ctx: PublicationContext) => received.push(ctx.data))
    const subscribed = new Promise((resolve, reject) => {
      sub.once('subscribed', resolve)
      sub.once('error', reject)
    })
    sub.subscribe()
    client.connect()
    await subscribed

    // A wrong key: 401, nothing printed, nothing delivered.
    const refused = await runShell(script, { SPROCKET_API_KEY: 'wrong' })
    assert.equal(refused.stdout, '')

    const published = await runShell(script, { SPROCKET_API_KEY: API_KEY })
    assert.equal(published.code, 0, published.stderr)
    const reply = JSON.parse(published.stdout) as { result: { offset: number; epoch: string } }
    assert.equal(typeof reply.result.epoch, 'string')

    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(received, [{ text: 'New article published', id: 42 }])
  } finally {
    client.disconnect()
  }
})
