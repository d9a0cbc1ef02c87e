import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryEngine } from '../../src/engine/memory/memory-engine.js'
import { Hub } from '../../src/hub/hub.js'
import { NodeRegistry, type NodeInfo } from '../../src/hub/node-registry.js'
import { sleep } from '../engine/recorder.js'

const node = (uid: string, name: string): NodeInfo => ({ uid, name, version: '1', numClients: 0, numUsers: 0, numChannels: 0, numSubs: 0, uptimeSeconds: 0 })

test('the registry lists this node, then others heard recently; stale and shut-down nodes drop out', async () => {
  const engine = createMemoryEngine()
  const hub = new Hub(engine)
  await hub.start()
  const registry = new NodeRegistry(hub, () => node('self', 'a'), { publishIntervalMs: 5_000, maxAgeMs: 1_000 })
  try {
    registry.start()
    await sleep(10)
    assert.deepEqual(registry.nodes().map((n) => n.uid), ['self'], 'its own announcement is not a second node')
    await hub.broadcastControl({ kind: 'node', info: node('n2', 'c') })
    await hub.broadcastControl({ kind: 'node', info: node('n3', 'b') })
    await hub.broadcastControl({ kind: 'node', info: { name: 'no uid' } })
    await sleep(10)
    assert.deepEqual(registry.nodes().map((n) => n.uid), ['self', 'n3', 'n2'])
    await hub.broadcastControl({ kind: 'node_shutdown', uid: 'n3' })
    await sleep(10)
    assert.deepEqual(registry.nodes().map((n) => n.uid), ['self', 'n2'])
    await sleep(1_200)
    assert.deepEqual(registry.nodes().map((n) => n.uid), ['self'], 'n2 was not heard from within maxAgeMs')
  } finally {
    await registry.close()
    await hub.close()
    await engine.close()
  }
})
