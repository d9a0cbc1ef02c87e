import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { webStaticMount } from '../../src/cli/mounts/web-static.js'
import { createWebStatic } from '../../src/http/web-static.js'
import { App } from '../../src/server/app.js'

/** A raw GET, so paths reach the server exactly as written (fetch would normalise `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('createWebStatic', () => {
  let dir: string
  let server: Server
  let port: number

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sprocket-web-'))
    const root = join(dir, 'web')
    mkdirSync(join(root, 'sub'), { recursive: true })
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(root, 'app.js'), 'export {}')
    writeFileSync(join(root, 'style.css'), 'body{}')
    writeFileSync(join(root, 'sub', 'index.html'), 'sub')
    writeFileSync(join(root, '.secret.txt'), 'hidden')
    writeFileSync(join(root, 'data.bin'), 'x')
    writeFileSync(join(dir, 'outside.txt'), 'outside')
    symlinkSync(join(dir, 'outside.txt'), join(root, 'link.txt'))
    server = createServer(createWebStatic({ root }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(() => {
    server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves index.html at / with a content type, a page policy and revalidation', async () => {
    const page = await get(port, '/')
    assert.equal(page.status, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal(page.headers['cache-control'], 'no-cache')
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.equal((await get(port, '/?x=1')).status, 200)
    assert.equal((await get(port, '/sub/')).body, 'sub')
    const etag = String(page.headers['etag'])
    const again = await get(port, '/', { 'if-none-match': etag })
    assert.equal(again.status, 304)
    assert.equal(again.body, '')
  })

  it('sets the content type by extension', async () => {
    assert.equal((await get(port, '/app.js')).headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal((await get(port, '/style.css')).headers['content-type'], 'text/css; charset=utf-8')
    assert.equal((await get(port, '/data.bin')).status, 404)
    const head = await get(port, '/app.js', {}, 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal((await get(port, '/app.js', {}, 'POST')).status, 405)
  })

  it('never leaves its folder', async () => {
    for (const path of ['/../outside.txt', '/sub/../../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/..%5coutside.txt', '/link.txt', '/.secret.txt', '/app.js%00.html', '/missing.js', '/%E0%A4%A']) {
      const response = await get(port, path)
      assert.equal(response.status, 404, path)
      assert.ok(!response.body.includes('outside'), path)
    }
  })
})

describe('webStaticMount', () => {
  for (const enabled of [true, false]) {
    it(`serves the chat page at / ${enabled ? 'while the chat is enabled' : 'not at all when the chat is off'}`, async () => {
      const app = new App({ host: '127.0.0.1', port: 0 })
      webStaticMount({ app, config: { chat: { enabled } } })
      await app.listen()
      try {
        const page = await get(app.port, '/')
        assert.equal(page.status, enabled ? 200 : 404)
        if (enabled) assert.match(page.body, /<script[^>]+src="\/client\/centrifuge\.js"/)
      } finally {
        await app.close({ timeoutMs: 1000 })
      }
    })
  }
})
