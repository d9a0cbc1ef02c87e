import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { startServer } from '../../../src/cli/start-server.js'
import { loadConfig } from '../../../src/config/index.js'
import { silentLogger } from '../../../src/logger.js'
import { connected, nextEvent, pusherClient, sdk } from '../../components/pusher/harness.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-pusher-mount-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const baseEnv = { SPROCKET_HOST: '127.0.0.1', SPROCKET_PORT: '0', SPROCKET_ENGINE: 'memory', SPROCKET_DATA_DIR: dir }

describe('sprocket serve mounts the Pusher protocol from the pusher section', () => {
  it('serves the one app the SPROCKET_PUSHER_APP_* variables configure, WebSocket and REST', async () => {
    const config = loadConfig({
      env: { ...baseEnv, SPROCKET_PUSHER_APP_ID: '4242', SPROCKET_PUSHER_APP_KEY: 'env-key', SPROCKET_PUSHER_APP_SECRET: 'env-secret' },
    })
    const server = await startServer(config, silentLogger)
    const client = pusherClient(server.port, { key: 'env-key' })
    try {
      await connected(client)
      const channel = client.subscribe('updates')
      await nextEvent(channel, 'pusher:subscription_succeeded')
      const got = nextEvent(channel, 'tick')
      await sdk(server.port, { id: '4242', key: 'env-key', secret: 'env-secret' }).trigger('updates', 'tick', { n: 1 })
      assert.deepEqual((await got).data, { n: 1 })
      const metrics = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text()
      assert.match(metrics, /sprocket_pusher_webhook_events_total/)
    } finally {
      client.disconnect()
      await server.close(1000)
    }
  })

  it('honours the path prefix and keeps the endpoint off when no app is configured', async () => {
    const prefixed = await startServer(
      loadConfig({ env: baseEnv, flags: [{ path: 'pusher', value: { path: '/ws', apps: [{ id: 'p', key: 'pk', secret: 'ps' }] }, source: 'test' }] }),
      silentLogger,
    )
    const client = pusherClient(prefixed.port, { key: 'pk', wsPath: '/ws' })
    try {
      await connected(client)
    } finally {
      client.disconnect()
      await prefixed.close(1000)
    }
    const bare = await startServer(loadConfig({ env: baseEnv }), silentLogger)
    try {
      const response = await fetch(`http://127.0.0.1:${bare.port}/apps/p/channels`)
      assert.equal(response.status, 404)
    } finally {
      await bare.close(1000)
    }
  })

  it('fails fast on two apps with one key', () => {
    assert.throws(
      () => loadConfig({ env: baseEnv, flags: [{ path: 'pusher', value: { apps: [{ id: 'a', key: 'k', secret: 's' }, { id: 'b', key: 'k', secret: 's' }] }, source: 'test' }] }),
      /pusher\.apps/,
    )
  })
})
