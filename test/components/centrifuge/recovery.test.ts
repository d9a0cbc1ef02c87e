import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Centrifuge, Subscription } from 'centrifuge'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { createSqliteEngine } from '../../../src/engine/sqlite/sqlite-engine.js'
import type { Engine } from '../../../src/engine/types.js'
import { client, collect, next, startServer, until, type Server } from './harness.js'

/** Drops the client's socket without a close frame, as a network failure would. */
function dropSocket(c: Centrifuge): void {
  const transport = (c as unknown as { _transport: { _transport: { terminate(): void } } })._transport
  transport._transport.terminate()
}

async function subscribed(url: string, channel: string): Promise<{ c: Centrifuge; sub: Subscription; offsets: number[]; contexts: any[] }> {
  // A reconnect delay long enough for the test to publish while the client is away.
  const c = client(url, { minReconnectDelay: 300, maxReconnectDelay: 400 })
  const sub = c.newSubscription(channel)
  const offsets: number[] = []
  sub.on('publication', (ctx) => offsets.push(ctx.offset ?? -1))
  const contexts = collect(sub, 'subscribed')
  sub.subscribe()
  c.connect()
  await until(() => contexts.length === 1, 3000, 'first subscribe')
  return { c, sub, offsets, contexts }
}

async function publish(server: Server, channel: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await server.hub.publish(channel, { data: JSON.stringify({ i }) })
}

async function recoversEveryMissedPublicationOnce(engine: Engine): Promise<void> {
  const server = await startServer({ engine })
  const { c, offsets, contexts } = await subscribed(server.url, 'chat:recover')
  try {
    await publish(server, 'chat:recover', 2)
    await until(() => offsets.length === 2, 2000, 'live publications')
    const reconnected = next(c, 'connected', 4000)
    dropSocket(c)
    await publish(server, 'chat:recover', 3)
    await reconnected
    await until(() => contexts.length === 2, 3000, 'resubscribe')
    await until(() => offsets.length === 5, 2000, 'recovered publications')
    await publish(server, 'chat:recover', 1)
    await until(() => offsets.length === 6, 2000, 'live publication after recovery')
    assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6])
    assert.equal(contexts[1].wasRecovering, true)
    assert.equal(contexts[1].recovered, true)
  } finally {
    c.disconnect()
    await server.close()
  }
}

describe('native protocol: recovery', () => {
  it('a dropped client recovers every missed publication exactly once (memory engine)', async () => {
    await recoversEveryMissedPublicationOnce(createMemoryEngine())
  })

  it('a dropped client recovers every missed publication exactly once (sqlite engine)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sprocket-centrifuge-'))
    try {
      await recoversEveryMissedPublicationOnce(createSqliteEngine({ file: join(dir, 'sprocket.db') }))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('recovery is refused when history was trimmed below the client position', async () => {
    const server = await startServer()
    const { c, offsets, contexts } = await subscribed(server.url, 'small:trim')
    try {
      await publish(server, 'small:trim', 1)
      await until(() => offsets.length === 1, 2000, 'live publication')
      const reconnected = next(c, 'connected', 4000)
      dropSocket(c)
      await publish(server, 'small:trim', 5)
      await reconnected
      await until(() => contexts.length === 2, 3000, 'resubscribe')
      assert.equal(contexts[1].wasRecovering, true)
      assert.equal(contexts[1].recovered, false)
      assert.equal(contexts[1].streamPosition.offset, 6)
      assert.deepEqual(offsets, [1], 'no partial recovery')
    } finally {
      c.disconnect()
      await server.close()
    }
  })

  it('after a restart with a new epoch (shutdown 3001, reconnect) recovery is refused', async () => {
    const first = await startServer()
    const port = first.app.port
    const { c, offsets, contexts } = await subscribed(first.url, 'chat:epoch')
    const connecting = collect(c, 'connecting')
    let second: Server | undefined
    try {
      await publish(first, 'chat:epoch', 2)
      await until(() => offsets.length === 2, 2000, 'live publications')
      first.component.shutdown()
      await until(() => connecting.some((ctx) => ctx.code === 3001), 2000, 'shutdown close code')
      await first.close()
      second = await startServer({ port })
      await publish(second, 'chat:epoch', 3)
      await until(() => contexts.length === 2, 4000, 'resubscribe on the new server')
      assert.equal(contexts[1].wasRecovering, true)
      assert.equal(contexts[1].recovered, false)
      assert.notEqual(contexts[1].streamPosition.epoch, contexts[0].streamPosition.epoch)
      assert.deepEqual(offsets, [1, 2])
    } finally {
      c.disconnect()
      await second?.close()
    }
  })
})
