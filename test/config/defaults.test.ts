import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { centrifugeDefaults } from '../../src/components/centrifuge/options.js'
import { loadConfig } from '../../src/config/index.js'
import { engineDefaults } from '../../src/engine/index.js'
import { channelsDefaults, namespaceDefaults } from '../../src/hub/index.js'
import { appDefaults, limitDefaults } from '../../src/index.js'

/** The config file's defaults are the constructors' defaults: each is written once, in its layer. */
describe('config defaults come from the layers', () => {
  const config = loadConfig({ env: {} })

  test('server: appDefaults and limitDefaults (host aside: the command binds every interface)', () => {
    assert.equal(config.port, appDefaults.port)
    assert.equal(config.shutdownTimeoutMs, appDefaults.closeTimeoutMs)
    assert.equal(config.keepalive.intervalMs, appDefaults.keepaliveIntervalMs)
    assert.deepEqual(config.limits, {
      maxMessageBytes: limitDefaults.maxMessageBytes,
      maxFragments: limitDefaults.maxFragments,
      maxBufferedBytes: limitDefaults.maxBufferedBytes,
      maxConnectionsPerAddress: appDefaults.maxConnectionsPerAddress,
      handshakesPerSecondPerAddress: appDefaults.handshakesPerSecondPerAddress,
    })
    assert.deepEqual(config.compression, limitDefaults.compression)
  })

  test('engine: engineDefaults', () => {
    const { file, maxBatch, ...sqlite } = engineDefaults.sqlite
    assert.equal(config.engine.type, engineDefaults.type)
    assert.deepEqual(config.engine.memory, engineDefaults.memory)
    const { busyTimeoutMs, ...sqliteInConfig } = sqlite
    assert.ok(busyTimeoutMs > 0 && file.length > 0)
    assert.deepEqual(config.engine.sqlite, { ...sqliteInConfig, groupCommit: { maxBatch } })
  })

  test('channels: channelsDefaults and namespaceDefaults', () => {
    const { default: defaultNamespace, namespaces, ...limits } = config.channels
    assert.deepEqual(defaultNamespace, namespaceDefaults)
    assert.deepEqual(namespaces, {})
    assert.deepEqual(limits, channelsDefaults)
  })

  test('centrifuge: centrifugeDefaults (allowAnonymous comes from the client section)', () => {
    const { allowAnonymous, ...inConfig } = centrifugeDefaults
    assert.equal(allowAnonymous, true)
    assert.deepEqual(config.centrifuge, inConfig)
  })
})
