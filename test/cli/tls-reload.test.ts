/**
 * `sprocket serve` with `tls.cert`/`tls.key` swaps its certificate on SIGHUP: new connections get
 * the new one, open connections stay up, and a bad file leaves the current certificate in place.
 * The server runs docs/deploy.md's native TLS config.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { test } from 'node:test'
import { WebSocket } from 'ws'
import { makeCa, makeLeaf, type TestCa } from '../certificates.js'
import { deployBlock, substitute } from '../deploy/doc-blocks.js'
import { ServeProcess } from './cli-process.js'

/** Opens wss://127.0.0.1:port/echo trusting only `ca`; resolves with the socket and the certificate it was shown. */
async function openEcho(port: number, ca: TestCa): Promise<{ ws: WebSocket; fingerprint256: string }> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/echo`, { ca: ca.pem })
  let fingerprint256 = ''
  ws.once('upgrade', (response) => (fingerprint256 = (response.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? ''))
  await once(ws, 'open')
  return { ws, fingerprint256 }
}

async function echoes(ws: WebSocket, text: string): Promise<void> {
  ws.send(text)
  const [data] = (await once(ws, 'message')) as [Buffer]
  assert.equal(data.toString(), text)
}

test('SIGHUP reloads tls.cert and tls.key without dropping connections; a bad file keeps the old pair', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-tls-reload-'))
  const ca = makeCa(dir)
  const first = makeLeaf(ca, 'first')
  const second = makeLeaf(ca, 'second')
  const certPath = join(dir, 'fullchain.pem')
  const keyPath = join(dir, 'privkey.pem')
  copyFileSync(first.certPath, certPath)
  copyFileSync(first.keyPath, keyPath)
  const configPath = join(dir, 'sprocket.json')
  writeFileSync(configPath, substitute(deployBlock('sprocket-tls'), [['"port": 443', '"port": 0'], ['/etc/ssl/sprocket/', `${dir}/`]]))
  const server = new ServeProcess(['--config', configPath, '--host', '127.0.0.1', '--engine', 'memory', '--data-dir', join(dir, 'data')], { cwd: dir })
  const sockets: WebSocket[] = []
  try {
    // A SIGHUP while the server starts (at its first log line, before it listens) is handled once
    // it has started, instead of ending the process.
    await server.waitForLog(() => true)
    server.child.kill('SIGHUP')
    const early = await server.waitForLog((line) => line.msg === 'TLS certificate reloaded')
    const port = await server.port()
    const before = await openEcho(port, ca)
    sockets.push(before.ws)
    assert.equal(before.fingerprint256, first.fingerprint256)

    copyFileSync(second.certPath, certPath)
    copyFileSync(second.keyPath, keyPath)
    server.child.kill('SIGHUP')
    await server.waitForLog((line) => line.msg === 'TLS certificate reloaded' && line !== early)
    const after = await openEcho(port, ca)
    sockets.push(after.ws)
    assert.equal(after.fingerprint256, second.fingerprint256, 'new connections see the new certificate')
    await echoes(before.ws, 'still here')

    // The first pair's certificate with the second pair's key: refused, the second pair stays.
    copyFileSync(first.certPath, certPath)
    server.child.kill('SIGHUP')
    const failure = await server.waitForLog((line) => line.msg.startsWith('TLS reload failed'))
    assert.equal(failure.level, 50, 'logged at error')
    writeFileSync(keyPath, 'not a key')
    server.child.kill('SIGHUP')
    await server.waitForLog((line) => line.msg.startsWith('TLS reload failed') && line !== failure)
    const unchanged = await openEcho(port, ca)
    sockets.push(unchanged.ws)
    assert.equal(unchanged.fingerprint256, second.fingerprint256, 'a bad reload keeps the certificate in use')
    await echoes(before.ws, 'still here after a failed reload')
    assert.equal(server.child.exitCode, null, 'the server is still running')
  } finally {
    for (const ws of sockets) ws.terminate()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
