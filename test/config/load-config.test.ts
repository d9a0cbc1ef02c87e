import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ConfigError, convertText, envBindings, loadConfig, shutdownDrainDelayMs, unknownEnvVariables } from '../../src/config/index.js'

const dir = mkdtempSync(join(tmpdir(), 'sprocket-config-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function writeConfig(name: string, content: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

function configError(load: () => unknown): ConfigError {
  try {
    load()
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    return error
  }
  assert.fail('expected loadConfig to throw')
}

describe('loadConfig', () => {
  test('defaults need no file and no environment', () => {
    const config = loadConfig({ env: {} })
    assert.equal(config.host, '0.0.0.0')
    assert.equal(config.port, 8080)
    assert.equal(config.dataDir, './data')
    assert.equal(config.logLevel, 'info')
    assert.equal(config.tls, undefined)
    assert.equal(config.shutdownTimeoutMs, 10_000)
    assert.deepEqual(config.limits, { maxMessageBytes: 1_048_576, maxFragments: 65_536, maxBufferedBytes: 1_048_576, maxConnectionsPerAddress: 0, handshakesPerSecondPerAddress: 0 })
    assert.deepEqual(config.keepalive, { intervalMs: 25_000 })
    assert.deepEqual(config.compression, { enabled: false, thresholdBytes: 1024, windowBits: 11, memLevel: 4 })
    assert.equal(config.allowedOrigins, undefined, 'unset: same host only')
  })

  test('a file sets fields and leaves the rest of a section at its defaults', () => {
    const configPath = writeConfig('partial.json', { port: 9000, limits: { maxConnections: 5 }, compression: { enabled: true } })
    const config = loadConfig({ env: {}, configPath })
    assert.equal(config.port, 9000)
    assert.equal(config.limits.maxConnections, 5)
    assert.equal(config.limits.maxMessageBytes, 1_048_576)
    assert.deepEqual(config.compression, { enabled: true, thresholdBytes: 1024, windowBits: 11, memLevel: 4 })
  })

  test('precedence: flags > env > file > defaults', () => {
    const configPath = writeConfig('precedence.json', { host: '127.0.0.1', port: 9001, dataDir: '/file', logLevel: 'warn' })
    const env = { SPROCKET_PORT: '9002', SPROCKET_DATA_DIR: '/env' }
    const config = loadConfig({ env, configPath, flags: [{ path: 'port', value: 9003, source: '--port' }] })
    assert.equal(config.port, 9003, 'flag beats env and file')
    assert.equal(config.dataDir, '/env', 'env beats file')
    assert.equal(config.host, '127.0.0.1', 'file beats default')
    assert.equal(config.logLevel, 'warn')
    assert.equal(config.shutdownTimeoutMs, 10_000, 'default when nobody sets it')
  })

  test('SPROCKET_CONFIG names the file; --config wins over it', () => {
    const fromEnv = writeConfig('env-named.json', { port: 9010 })
    const fromFlag = writeConfig('flag-named.json', { port: 9011 })
    assert.equal(loadConfig({ env: { SPROCKET_CONFIG: fromEnv } }).port, 9010)
    assert.equal(loadConfig({ env: { SPROCKET_CONFIG: fromEnv }, configPath: fromFlag }).port, 9011)
  })

  test('environment values are converted to the field type', () => {
    const config = loadConfig({
      env: { SPROCKET_PORT: '0', SPROCKET_ALLOWED_ORIGINS: 'https://a.example, https://b.example', SPROCKET_SHUTDOWN_TIMEOUT_MS: '500', SPROCKET_HOST: '' },
    })
    assert.equal(config.port, 0)
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example'])
    assert.equal(config.shutdownTimeoutMs, 500)
    assert.equal(config.host, '0.0.0.0', 'an empty variable counts as unset')
  })

  test('the engine and channels sections are composed with their own defaults and checks', () => {
    const config = loadConfig({ env: { SPROCKET_ENGINE: 'memory' } })
    assert.equal(config.engine.type, 'memory')
    assert.equal(loadConfig({ env: {} }).engine.type, 'sqlite')
    assert.equal(config.channels.default.allowSubscribe, true)
    const configPath = writeConfig('sections.json', { engine: { type: 'cassandra' }, channels: { maxChannelsPerConnection: 0 } })
    const error = configError(() => loadConfig({ env: {}, configPath }))
    assert.deepEqual(error.issues.map((i) => i.path).sort(), ['channels.maxChannelsPerConnection', 'engine.type'])
    const flagged = configError(() => loadConfig({ env: {}, flags: [{ path: 'engine.type', value: 'nope', source: '--engine' }] }))
    assert.deepEqual(flagged.issues.map((i) => [i.path, i.source]), [['engine.type', '--engine']])
  })

  test('the redis engine: SPROCKET_REDIS_URL and --redis-url set its Redis, a bad URL names the field', () => {
    const fromEnv = loadConfig({ env: { SPROCKET_ENGINE: 'redis', SPROCKET_REDIS_URL: 'redis://10.0.0.5:6380/2' } })
    assert.equal(fromEnv.engine.type, 'redis')
    assert.equal(fromEnv.engine.redis.url, 'redis://10.0.0.5:6380/2')
    assert.equal(fromEnv.engine.redis.keyPrefix, 'sprocket')
    const flagged = loadConfig({
      env: { SPROCKET_REDIS_URL: 'redis://env:6379' },
      flags: [{ path: 'engine.redis.url', value: 'rediss://flag:6379', source: '--redis-url' }],
    })
    assert.equal(flagged.engine.redis.url, 'rediss://flag:6379')
    const bad = configError(() => loadConfig({ env: { SPROCKET_REDIS_URL: 'http://nope' } }))
    assert.deepEqual(bad.issues.map((i) => i.path), ['engine.redis.url'])
  })

  test('SPROCKET_API_KEY and SPROCKET_TOKEN_SECRET set the api and client sections', () => {
    const config = loadConfig({ env: { SPROCKET_API_KEY: 'k-123', SPROCKET_TOKEN_SECRET: 's-456' } })
    assert.equal(config.api.key, 'k-123')
    assert.equal(config.client.tokenSecret, 's-456')
  })

  test('TLS paths come from the environment; one without the other is an error', () => {
    const config = loadConfig({ env: { SPROCKET_TLS_CERT: '/c.pem', SPROCKET_TLS_KEY: '/k.pem' } })
    assert.deepEqual(config.tls, { cert: '/c.pem', key: '/k.pem' })
    const error = configError(() => loadConfig({ env: { SPROCKET_TLS_CERT: '/c.pem' } }))
    assert.deepEqual(error.issues.map((i) => i.path), ['tls.key'])
  })

  test('text converts to the declared kind, or passes through for the schema to reject', () => {
    assert.equal(convertText('42', 'number'), 42)
    assert.equal(convertText('4x', 'number'), '4x')
    assert.equal(convertText('true', 'boolean'), true)
    assert.equal(convertText('off', 'boolean'), false)
    assert.equal(convertText('maybe', 'boolean'), 'maybe')
    assert.deepEqual(convertText(' a, ,b ', 'list'), ['a', 'b'])
  })

  test('every env binding names a SPROCKET_ variable', () => {
    for (const binding of envBindings) assert.match(binding.name, /^SPROCKET_[A-Z_]+$/)
    assert.equal(new Set(envBindings.map((b) => b.name)).size, envBindings.length)
  })

  test('a wrong type names the field path and the flag or variable it came from', () => {
    const fromEnv = configError(() => loadConfig({ env: { SPROCKET_PORT: 'eighty' } }))
    assert.deepEqual(fromEnv.issues.map((i) => [i.path, i.source]), [['port', 'SPROCKET_PORT']])
    const fromFlag = configError(() => loadConfig({ env: {}, flags: [{ path: 'logLevel', value: 'loud', source: '--log-level' }] }))
    assert.deepEqual(fromFlag.issues.map((i) => [i.path, i.source]), [['logLevel', '--log-level']])
    assert.match(fromFlag.message, /logLevel/)
  })

  test('bad values in a file name every nested field path', () => {
    const configPath = writeConfig('bad.json', { limits: { maxMessageBytes: -1 }, keepalive: { intervalMs: 'often' }, tls: { cert: 'c.pem' } })
    const error = configError(() => loadConfig({ env: {}, configPath }))
    const paths = error.issues.map((i) => i.path).sort()
    assert.deepEqual(paths, ['keepalive.intervalMs', 'limits.maxMessageBytes', 'tls.key'])
    assert.ok(error.issues.every((i) => i.source === configPath))
    assert.match(error.message, /limits\.maxMessageBytes/)
  })

  test('unknown fields are errors, at the top level and inside sections', () => {
    const configPath = writeConfig('unknown.json', { prot: 80, limits: { maxMesageBytes: 1 } })
    const error = configError(() => loadConfig({ env: {}, configPath }))
    assert.deepEqual(error.issues.map((i) => i.path).sort(), ['limits.maxMesageBytes', 'prot'])
  })

  test('an unreadable file, bad JSON or a non-object file is a ConfigError', () => {
    configError(() => loadConfig({ env: {}, configPath: join(dir, 'missing.json') }))
    configError(() => loadConfig({ env: {}, configPath: writeConfig('broken.json', '{"port": 80,') }))
    configError(() => loadConfig({ env: {}, configPath: writeConfig('array.json', '[1, 2]') }))
  })

  test('PORT, as hosting platforms set it, is read when SPROCKET_PORT is unset', () => {
    assert.equal(loadConfig({ env: { PORT: '5000' } }).port, 5000)
    assert.equal(loadConfig({ env: { PORT: '5000', SPROCKET_PORT: '6000' } }).port, 6000)
    assert.equal(loadConfig({ env: { PORT: '5000' }, flags: [{ path: 'port', value: 7000, source: '--port' }] }).port, 7000)
    const error = configError(() => loadConfig({ env: { PORT: 'eighty' } }))
    assert.deepEqual(error.issues.map((i) => [i.path, i.source]), [['port', 'PORT']])
  })

  test('the shutdown drain delay is part of the shutdown time', () => {
    assert.equal(shutdownDrainDelayMs(loadConfig({ env: {} })), 2000)
    assert.equal(shutdownDrainDelayMs(loadConfig({ env: { SPROCKET_SHUTDOWN_TIMEOUT_MS: '500' } })), 125)
    assert.equal(shutdownDrainDelayMs(loadConfig({ env: { SPROCKET_SHUTDOWN_DRAIN_DELAY_MS: '0' } })), 0)
    const error = configError(() => loadConfig({ env: { SPROCKET_SHUTDOWN_TIMEOUT_MS: '1000', SPROCKET_SHUTDOWN_DRAIN_DELAY_MS: '1000' } }))
    assert.deepEqual(error.issues.map((i) => i.path), ['shutdownDrainDelayMs'])
  })

  test('SPROCKET_ variables Sprocket does not read are reported, with the closest known name', () => {
    const env = { SPROCKET_PROT: '80', SPROCKET_PORT: '81', SPROCKET_TOKEN_SECRT: 'x', SPROCKET_SOMETHING_ELSE_ENTIRELY: '1', PATH: '/bin' }
    assert.deepEqual(unknownEnvVariables(env), [
      { name: 'SPROCKET_PROT', didYouMean: 'SPROCKET_PORT' },
      { name: 'SPROCKET_SOMETHING_ELSE_ENTIRELY' },
      { name: 'SPROCKET_TOKEN_SECRT', didYouMean: 'SPROCKET_TOKEN_SECRET' },
    ])
  })
})
