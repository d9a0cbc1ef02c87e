import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pino } from 'pino'
import { startServer, type RunningServer } from '../../../src/cli/start-server.js'
import { configSchema } from '../../../src/config/schema.js'
import { client, connectionToken, next, secret } from './harness.js'

describe('sprocket serve mounts the native protocol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-centrifuge-serve-'))
  let server: RunningServer
  let url: string
  before(async () => {
    const config = configSchema.parse({
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      engine: { type: 'memory' },
      client: { tokenSecret: secret },
      allowedOrigins: ['*'],
    })
    server = await startServer(config, pino({ level: 'silent' }))
    url = `ws://127.0.0.1:${server.port}/connection/websocket`
  })
  after(async () => {
    await server.close(1000)
    rmSync(dir, { recursive: true, force: true })
  })

  it('accepts a token signed with client.tokenSecret', async () => {
    const c = client(url, { token: await connectionToken('served') })
    try {
      const connected = next(c, 'connected')
      c.connect()
      assert.equal(typeof (await connected).client, 'string')
    } finally {
      c.disconnect()
    }
  })

  it('refuses anonymous connections once a key is configured (3501)', async () => {
    const c = client(url)
    try {
      const disconnected = next(c, 'disconnected')
      c.connect()
      assert.equal((await disconnected).code, 3501)
    } finally {
      c.disconnect()
    }
  })
})
