import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { runInNewContext } from 'node:vm'
import { mountClientScript } from '../../src/http/client-script.js'
import { App } from '../../src/server/app.js'

let app: App
let url: string
before(async () => {
  app = new App({ port: 0, host: '127.0.0.1', keepaliveIntervalMs: 0 })
  mountClientScript(app)
  const address = await app.listen()
  url = `http://127.0.0.1:${address.port}/client/centrifuge.js`
})
after(() => app.close({ timeoutMs: 1000 }))

test('serves the centrifuge browser bundle as JavaScript that defines Centrifuge', async () => {
  const res = await fetch(url)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /^application\/javascript/)
  assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/)
  const text = await res.text()
  assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text))
  const sandbox: Record<string, unknown> = {}
  sandbox['globalThis'] = sandbox
  runInNewContext(text, sandbox)
  assert.equal(typeof sandbox['Centrifuge'], 'function')
})

test('answers 304 to a matching If-None-Match, 200 to a stale one', async () => {
  const first = await fetch(url)
  const etag = first.headers.get('etag')
  await first.arrayBuffer()
  assert.ok(etag && /^".+"$/.test(etag))
  const again = await fetch(url, { headers: { 'if-none-match': etag } })
  assert.equal(again.status, 304)
  assert.equal(again.headers.get('etag'), etag)
  assert.equal((await again.arrayBuffer()).byteLength, 0)
  const listed = await fetch(url, { headers: { 'if-none-match': `"other", W/${etag}` } })
  assert.equal(listed.status, 304)
  await listed.arrayBuffer()
  const stale = await fetch(url, { headers: { 'if-none-match': '"stale"' } })
  assert.equal(stale.status, 200)
  await stale.arrayBuffer()
})

test('HEAD has headers and no body; POST is 405; the source map is served too', async () => {
  const head = await fetch(url, { method: 'HEAD' })
  assert.equal(head.status, 200)
  assert.ok(Number(head.headers.get('content-length')) > 10_000)
  const post = await fetch(url, { method: 'POST', body: 'x' })
  assert.equal(post.status, 405)
  await post.arrayBuffer()
  const map = await fetch(`${url}.map`)
  assert.equal(map.status, 200)
  assert.equal((await map.json() as { version: number }).version, 3)
})
