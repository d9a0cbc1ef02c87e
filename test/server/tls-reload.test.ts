/** `App.reloadTls`: a new certificate for new handshakes, open connections untouched, a bad pair refused. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { after, before, test } from 'node:test'
import { EchoServer } from '../../src/index.js'
import { makeCa, makeLeaf, type Leaf, type TestCa } from '../certificates.js'
import { closed, nextMessage, openClient, startApp } from './helpers.js'

let dir: string
let ca: TestCa
let first: Leaf
let second: Leaf
const pair = (leaf: Leaf) => ({ cert: readFileSync(leaf.certPath), key: readFileSync(leaf.keyPath) })

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sprocket-app-tls-'))
  ca = makeCa(dir)
  first = makeLeaf(ca, 'first')
  second = makeLeaf(ca, 'second')
})
after(() => rmSync(dir, { recursive: true, force: true }))

async function fingerprintSeen(port: number): Promise<{ fingerprint: string; close: () => Promise<unknown> }> {
  const ws = await openClient(`wss://localhost:${port}/echo`, { ca: ca.pem })
  const fingerprint = ((ws as unknown as { _socket: TLSSocket })._socket).getPeerX509Certificate()?.fingerprint256 ?? ''
  return { fingerprint, close: () => (ws.close(), closed(ws)) }
}

test('reloadTls serves the new certificate to new connections; open ones keep working', async () => {
  const app = await startApp({ tls: pair(first) }, (a) => a.route('/echo', new EchoServer()))
  const old = await openClient(`wss://localhost:${app.port}/echo`, { ca: ca.pem })
  app.reloadTls(pair(second))
  const fresh = await fingerprintSeen(app.port)
  assert.equal(fresh.fingerprint, second.fingerprint256)
  old.send('still open')
  assert.equal((await nextMessage(old)).data.toString(), 'still open')

  // A certificate with another certificate's key: refused, the current pair stays.
  assert.throws(() => app.reloadTls({ cert: pair(first).cert, key: pair(second).key }))
  const unchanged = await fingerprintSeen(app.port)
  assert.equal(unchanged.fingerprint, second.fingerprint256)
  await fresh.close()
  await unchanged.close()
  old.close()
  await closed(old)
  await app.close()
})

test('reloadTls on an App without TLS throws', async () => {
  const app = await startApp({}, () => undefined)
  assert.throws(() => app.reloadTls(pair(first)))
  await app.close()
})
