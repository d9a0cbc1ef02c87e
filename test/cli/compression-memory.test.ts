/**
 * What a compressed connection costs: `sprocket serve` with compression on, 300 clients that
 * each exchange a compressible message (so both zlib streams exist), the server's RSS read from
 * its own /metrics before and after. With the default windows (11 bits, memLevel 4) a connection
 * stays under the bound docs/server.md states (192 KiB) and costs at most two thirds of what
 * zlib's own defaults (15, 8) cost, measured beside it; an uncompressed connection is measured too.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import WebSocket from 'ws'
import { ServeProcess } from './cli-process.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-deflate-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const connections = 300
const message = JSON.stringify({ text: 'a compressible chat message '.repeat(150) })

async function residentBytes(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const line = text.split('\n').find((row) => row.startsWith('sprocket_process_resident_memory_bytes '))
  return Number(line?.split(' ')[1])
}

/** Bytes of server RSS per connection on /echo, with these compression settings. */
async function perConnection(name: string, compression: Record<string, unknown>): Promise<number> {
  const configPath = join(dir, `${name}.json`)
  writeFileSync(configPath, JSON.stringify({ compression: { enabled: true, thresholdBytes: 0, ...compression }, echo: { maxConnections: 2000 } }))
  const server = new ServeProcess(['--port', '0', '--host', '127.0.0.1', '--engine', 'memory', '--config', configPath])
  const clients: WebSocket[] = []
  try {
    const port = await server.port()
    const warm = new WebSocket(`ws://127.0.0.1:${port}/echo`)
    await once(warm, 'open')
    clients.push(warm)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = await residentBytes(port)
    for (let i = 0; i < connections; i += 50) {
      const batch = Array.from({ length: 50 }, () => new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: true }))
      await Promise.all(batch.map((ws) => once(ws, 'open')))
      await Promise.all(batch.map(async (ws) => {
        const echoed = once(ws, 'message')
        ws.send(message)
        await echoed
      }))
      clients.push(...batch)
    }
    const compressed = compression['enabled'] !== false
    assert.ok(clients.slice(1).every((ws) => (ws.extensions === 'permessage-deflate') === compressed), 'compression negotiated as configured')
    await new Promise((resolve) => setTimeout(resolve, 300))
    return ((await residentBytes(port)) - before) / connections
  } finally {
    for (const ws of clients) ws.terminate()
    await server.stop()
  }
}

test('a compressed connection costs under 192 KiB of server memory with the default windows, at most two thirds of zlib defaults', async () => {
  const plain = await perConnection('plain', { enabled: false })
  const capped = await perConnection('capped', {})
  const zlibDefaults = await perConnection('zlib-defaults', { windowBits: 15, memLevel: 8 })
  const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`
  console.log(`server RSS per connection: ${kib(plain)} uncompressed, ${kib(capped)} compressed (windowBits 11, memLevel 4), ${kib(zlibDefaults)} with zlib defaults (15, 8)`)
  assert.ok(capped < 192 * 1024, `${kib(capped)} per compressed connection`)
  assert.ok(capped < (zlibDefaults * 2) / 3, `${kib(capped)} against ${kib(zlibDefaults)}`)
})
