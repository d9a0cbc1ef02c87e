import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { mountServerApi } from '../../../src/http/centrifuge-api/server-api.js'
import { ErrorCode } from '../../../src/protocol/centrifuge/index.js'
import { API_KEY, startApiServer, type ApiServer } from './api-harness.js'

let server: ApiServer
const json = (res: Response): Promise<any> => res.json()
before(async () => {
  server = await startApiServer({ apiKey: API_KEY, maxBodyBytes: 64 * 1024 })
})
after(() => server.close())

describe('authentication', () => {
  test('a wrong or missing key is 401 with an empty body', async () => {
    for (const key of ['wrong', null, '']) {
      const res = await server.call('info', {}, { key })
      assert.equal(res.status, 401)
      assert.equal(await res.text(), '')
    }
  })

  test('the key may come as X-API-Key, Authorization: apikey, or ?api_key', async () => {
    assert.equal((await server.call('info', {})).status, 200)
    assert.equal((await server.call('info', {}, { key: null, headers: { authorization: `apikey ${API_KEY}` } })).status, 200)
    assert.equal((await server.call('info', {}, { key: null, headers: { authorization: `ApiKey ${API_KEY}` } })).status, 200)
    assert.equal((await server.call('info', {}, { key: null, query: `?api_key=${API_KEY}` })).status, 200)
    assert.equal((await server.call('info', {}, { key: null, headers: { authorization: `Bearer ${API_KEY}` } })).status, 401)
  })

  test('without a configured key the API is disabled: 404 with a JSON explanation', async () => {
    const disabled = await startApiServer({})
    try {
      const res = await disabled.call('publish', { channel: 'chat:a', data: 1 })
      assert.equal(res.status, 404)
      assert.match(res.headers.get('content-type') ?? '', /application\/json/)
      assert.equal((await json(res)).error.code, ErrorCode.notAvailable)
    } finally {
      await disabled.close()
    }
  })
})

describe('HTTP rules', () => {
  test('methods other than POST are 405', async () => {
    for (const httpMethod of ['GET', 'PUT', 'DELETE']) {
      const res = await server.call('info', {}, { httpMethod })
      assert.equal(res.status, 405, httpMethod)
      assert.equal(res.headers.get('allow'), 'POST')
      await res.arrayBuffer()
    }
  })

  test('an unknown method is 404 with code 104', async () => {
    for (const method of ['frobnicate', '', 'publish/extra', 'toString']) {
      const res = await server.call(method, {})
      assert.equal(res.status, 404, method)
      assert.equal((await json(res)).error.code, ErrorCode.methodNotFound)
    }
  })

  test('malformed JSON is 400', async () => {
    const res = await server.call('publish', '{"channel": "chat:a", "data": ')
    assert.equal(res.status, 400)
    assert.equal((await json(res)).error.code, ErrorCode.badRequest)
  })

  test('a body nested deeper than 64 levels is 400 with 107, before it is parsed', async () => {
    const res = await server.call('publish', `{"channel":"chat:a","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)
    assert.equal(res.status, 400)
    assert.deepEqual(await json(res), { error: { code: ErrorCode.badRequest, message: 'request body is nested deeper than 64 levels' } })
  })

  test('an empty body counts as {}', async () => {
    const res = await server.call('info', '')
    assert.equal(res.status, 200)
    assert.equal((await json(res)).result.nodes.length, 1)
  })

  test('application errors are HTTP 200; transport error mode maps them to statuses', async () => {
    const normal = await server.call('publish', { channel: 'nope:a', data: 1 })
    assert.equal(normal.status, 200)
    assert.equal((await json(normal)).error.code, ErrorCode.unknownChannel)
    const transport = await server.call('publish', { channel: 'nope:a', data: 1 }, { headers: { 'x-centrifugo-error-mode': 'transport' } })
    assert.equal(transport.status, 404)
    assert.deepEqual(await transport.json(), { code: ErrorCode.unknownChannel, message: 'unknown channel' })
    const bad = await server.call('publish', { channel: 'chat:a' }, { headers: { 'x-centrifugo-error-mode': 'transport' } })
    assert.equal(bad.status, 400)
    await bad.arrayBuffer()
  })

  test('a body over maxBodyBytes with Content-Length is 413', async () => {
    const data = 'x'.repeat(100 * 1024)
    const res = await server.call('publish', { channel: 'chat:big', data })
    assert.equal(res.status, 413)
    assert.equal((await json(res)).error.code, ErrorCode.limitExceeded)
  })

  test('a chunked body that streams past the limit is cut off with 413', async () => {
    const url = new URL(`${server.url}/api/publish`)
    const { status, written } = await new Promise<{ status: number; written: number }>((resolve, reject) => {
      let written = 0
      let stopped = false
      const req = request(url, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        stopped = true
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, written }))
      })
      req.on('error', (error) => (stopped ? undefined : reject(error)))
      const chunk = Buffer.alloc(16 * 1024, 0x20)
      const pump = () => {
        while (!stopped && written < 8 * 1024 * 1024) {
          written += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        if (!stopped) req.end()
      }
      req.write('{"channel":"chat:big","data":"')
      pump()
    })
    assert.equal(status, 413)
    assert.ok(written < 8 * 1024 * 1024, 'the server answered before the whole body was sent')
  })

  test('a body of exactly maxBodyBytes is accepted', async () => {
    const prefix = '{"channel":"chat:edge","data":"'
    const suffix = '"}'
    const body = prefix + 'y'.repeat(64 * 1024 - prefix.length - suffix.length) + suffix
    assert.equal(Buffer.byteLength(body), 64 * 1024)
    const res = await server.call('publish', body)
    assert.equal(res.status, 200)
    assert.equal((await json(res)).result.offset, 1)
  })
})

describe('startup log', () => {
  async function startupLines(apiKey: string | undefined, clientAuth: { tokenSecret?: string }): Promise<Array<{ level: number; msg: string }>> {
    const lines: Array<{ level: number; msg: string }> = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    const logger = pino({ level: 'info' }, sink)
    mountServerApi({ mount() {} }, { hub: server.hub, apiKey, logger, clientAuth })
    await new Promise((resolve) => setImmediate(resolve))
    return lines
  }

  test('demo mode is announced when neither an API key nor a token key is configured', async () => {
    const demo = await startupLines(undefined, {})
    assert.ok(demo.some((line) => line.level === 40 && line.msg.startsWith('DEMO MODE')))
    const secured = await startupLines('key', { tokenSecret: 'secret' })
    assert.ok(!secured.some((line) => line.msg.startsWith('DEMO MODE')))
    assert.ok(!secured.some((line) => line.level >= 40))
    const apiOnly = await startupLines('key', {})
    assert.ok(!apiOnly.some((line) => line.msg.startsWith('DEMO MODE')))
    assert.ok(apiOnly.some((line) => line.level === 40))
  })
})

describe('failures on our side', () => {
  test('an engine failure is error 100 in the reply (and in its broadcast slot), logged', async () => {
    const lines: Array<{ level: number; msg: string; method?: string }> = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    const broken = await startApiServer({ apiKey: API_KEY, logger: pino({ level: 'error' }, sink) })
    try {
      await broken.engine.close()
      const call = (method: string, body: unknown) => broken.call(method, body).then(json)
      assert.equal((await call('publish', { channel: 'chat:x', data: 1 })).error.code, ErrorCode.internal)
      const broadcast = await call('broadcast', { channels: ['chat:x', 'nope:y'], data: 1 })
      assert.equal(broadcast.result.responses[0].error.code, ErrorCode.internal)
      assert.equal(broadcast.result.responses[1].error.code, ErrorCode.unknownChannel)
      await new Promise((resolve) => setImmediate(resolve))
      assert.ok(lines.some((line) => line.level === 50 && line.method === 'publish'))
    } finally {
      await broken.close()
    }
  })
})
