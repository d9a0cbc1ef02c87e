import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Registry } from 'prom-client'
import { ErrorReason } from '../../src/errors.js'
import { registerHubMetrics } from '../../src/http/hub-metrics.js'
import { RecordingSubscriber, settle, startHub } from '../hub/helpers.js'
import { API_KEY, startApiServer } from './centrifuge-api/api-harness.js'

async function sample(registry: Registry, name: string, labels = ''): Promise<number> {
  const text = await registry.metrics()
  const line = text.split('\n').find((row) => row.startsWith(labels === '' ? `${name} ` : `${name}{${labels}}`))
  return Number(line?.split(' ').at(-1))
}

test('hub metrics count subscriptions, publishes, failures, fan-out and deliveries as they happen', async () => {
  const h = await startHub({ namespaces: { room: {} } })
  const registry = new Registry()
  registerHubMetrics(registry, h.hub)
  try {
    for (const user of ['ann', 'bob']) {
      const subscriber = new RecordingSubscriber(user)
      ;(await h.hub.subscribe(subscriber, 'room:a', { info: subscriber.info })).activate()
    }
    for (let i = 0; i < 3; i++) await h.hub.publish('room:a', { data: String(i) })
    await h.hub.publish('room:empty', { data: '1' })
    await assert.rejects(h.hub.publish('nowhere:x', { data: '1' }), { reason: ErrorReason.unknownChannel })
    await settle()
    assert.equal(await sample(registry, 'sprocket_hub_subscriptions'), 2)
    assert.equal(await sample(registry, 'sprocket_hub_channels'), 1)
    assert.equal(await sample(registry, 'sprocket_hub_publishes_total'), 5)
    assert.equal(await sample(registry, 'sprocket_hub_publishes_failed_total'), 1)
    assert.equal(await sample(registry, 'sprocket_hub_publications_fanned_out_total'), 3)
    assert.equal(await sample(registry, 'sprocket_hub_deliveries_total'), 6)
    assert.ok((await sample(registry, 'sprocket_engine_publish_seconds_total')) > 0)
    await h.hub.publish('room:a', { data: '"again"' })
    await settle()
    assert.equal(await sample(registry, 'sprocket_hub_deliveries_total'), 8, 'a second scrape adds what the hub counted since')
  } finally {
    await h.close()
  }
})

test('server API calls are counted by method and result', async () => {
  const registry = new Registry()
  const server = await startApiServer({ apiKey: API_KEY, registry })
  try {
    await server.json('publish', { channel: 'chat:a', data: 1 })
    await server.json('publish', { channel: 'nowhere:a', data: 1 })
    await server.json('batch', { commands: [{ info: {} }, { publish: { channel: 'chat:b', data: 2 } }] })
    assert.equal(await sample(registry, 'sprocket_api_calls_total', 'method="publish",result="ok"'), 2)
    assert.equal(await sample(registry, 'sprocket_api_calls_total', 'method="publish",result="102"'), 1)
    assert.equal(await sample(registry, 'sprocket_api_calls_total', 'method="info",result="ok"'), 1)
  } finally {
    await server.close()
  }
})
