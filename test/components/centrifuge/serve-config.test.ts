import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli, ServeProcess } from '../../cli/cli-process.js'
import { until } from './harness.js'
import { RawClient } from './raw-client.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-centrifuge-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function writeConfig(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(content))
  return path
}

/** A `connect` command padded to exactly `bytes` bytes on the wire. */
function connectFrame(id: number, bytes: number): string {
  const empty = JSON.stringify({ connect: { data: { pad: '' } }, id })
  assert.ok(bytes >= empty.length)
  return JSON.stringify({ connect: { data: { pad: 'x'.repeat(bytes - empty.length) } }, id })
}

describe('sprocket serve applies the centrifuge config section', { timeout: 90_000 }, () => {
  const maxMessageBytes = 2048
  let server: ServeProcess
  let url: string
  const raws: RawClient[] = []
  const open = async () => {
    const raw = await RawClient.open(url)
    raws.push(raw)
    return raw
  }
  before(async () => {
    const configPath = writeConfig('centrifuge.json', {
      host: '127.0.0.1',
      port: 0,
      dataDir: join(dir, 'data'),
      engine: { type: 'memory' },
      centrifuge: { pingIntervalMs: 1000, maxMessageBytes },
    })
    server = new ServeProcess(['--config', configPath])
    url = `ws://127.0.0.1:${await server.port()}/connection/websocket`
  })
  after(async () => {
    for (const raw of raws) raw.close()
    await server.stop()
  })

  it('announces the configured ping period in the connect result, and pings at it', async () => {
    const raw = await open()
    const reply = await raw.connect()
    assert.equal(reply['connect'].ping, 1, 'pingIntervalMs 1000 is announced as 1 s (default: 25)')
    assert.equal(reply['connect'].pong, true)
    await until(() => raw.pings > 0, 6000, 'a server ping soon after the configured period (not the default 25 s)')
  })

  it('accepts a frame of exactly maxMessageBytes and closes with 1009 one byte above it', async () => {
    const raw = await open()
    const frame = connectFrame(1, maxMessageBytes)
    assert.equal(Buffer.byteLength(frame), maxMessageBytes)
    raw.send(frame)
    assert.equal(typeof (await raw.reply(1))['connect'].client, 'string')

    const over = await open()
    over.send(connectFrame(1, maxMessageBytes + 1))
    const outcome = await Promise.race([over.closed.then((closed) => closed.code), over.reply(1, 3000).then(() => 'accepted')])
    assert.equal(outcome, 1009, 'the default (65536) would have accepted it')
  })
})

describe('sprocket serve refuses a bad centrifuge section', { timeout: 90_000 }, () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a negative value', { pongTimeoutMs: -1 }, 'centrifuge.pongTimeoutMs'],
    ['a wrong type', { maxMessageBytes: '64k' }, 'centrifuge.maxMessageBytes'],
    ['an unknown field', { pingIntervalSeconds: 25 }, 'centrifuge.pingIntervalSeconds'],
  ]
  for (const [what, centrifuge, path] of cases) {
    it(`${what} exits 2 naming ${path}`, async () => {
      const configPath = writeConfig(`bad-${path}.json`, { engine: { type: 'memory' }, port: 0, centrifuge })
      const result = await runCli(['serve', '--config', configPath])
      assert.equal(result.status, 2)
      assert.ok(result.stderr.includes(`${path} (from ${configPath})`), result.stderr)
    })
  }
})
