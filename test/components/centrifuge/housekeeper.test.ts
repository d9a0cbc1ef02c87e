import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CentrifugeComponent } from '../../../src/components/centrifuge/centrifuge-component.js'
import { createMemoryEngine } from '../../../src/engine/memory/memory-engine.js'
import { Hub } from '../../../src/hub/hub.js'
import { silentLogger } from '../../../src/logger.js'
import type { Conn, PreparedMessage } from '../../../src/server/types.js'
import { RecordingLogger } from '../../recording-logger.js'
import { until } from './harness.js'

let nextConn = 0

/** A connection whose socket writes can be made to fail, as a broken transport would. */
class FaultyConn implements Conn {
  readonly id = `faulty-${++nextConn}`
  readonly remoteAddress = '127.0.0.1'
  readonly request = { url: '/connection/websocket', headers: {} }
  readonly bufferedBytes = 0
  readonly sent: string[] = []
  closedWith: number | undefined
  failWrites = false

  get isOpen(): boolean {
    return this.closedWith === undefined
  }

  send(data: string | Uint8Array): void {
    if (this.failWrites) throw new Error('socket write failed')
    this.sent.push(typeof data === 'string' ? data : new TextDecoder().decode(data))
  }

  sendPrepared(_message: PreparedMessage): void {}

  close(code?: number): void {
    this.closedWith ??= code ?? 1005
  }
}

describe('housekeeper', () => {
  it('a session whose tick throws is logged and closed with 3004; the others keep being pinged', async () => {
    const engine = createMemoryEngine()
    const hub = new Hub(engine, {}, silentLogger)
    await hub.start()
    const logger = new RecordingLogger()
    const component = new CentrifugeComponent({ hub, logger, options: { pingIntervalMs: 60, tickMs: 20, personalChannel: false } })
    const broken = new FaultyConn()
    const healthy = new FaultyConn()
    try {
      for (const conn of [broken, healthy]) {
        component.onOpen(conn)
        await component.onMessage(conn, JSON.stringify({ connect: {}, id: 1 }))
      }
      assert.ok(broken.sent[0]?.includes('"connect"'), 'connected')
      assert.ok(healthy.sent[0]?.includes('"connect"'), 'connected')
      broken.failWrites = true
      await until(() => broken.closedWith !== undefined, 2000, 'broken session closed')
      assert.equal(broken.closedWith, 3004)
      const pingsBefore = healthy.sent.filter((frame) => frame === '{}').length
      await until(() => healthy.sent.filter((frame) => frame === '{}').length > pingsBefore, 2000, 'later pings')
      assert.equal(healthy.closedWith, undefined)
      const brokenClient = (JSON.parse(broken.sent[0] ?? '{}') as { connect?: { client?: string } }).connect?.client
      const failure = logger.errors.find((entry) => entry.details['client'] === brokenClient)
      assert.ok(brokenClient !== undefined && failure !== undefined, 'the failure is logged with the client id')
      assert.ok(failure.details['err'] instanceof Error)
    } finally {
      component.close()
      await hub.close()
      await engine.close()
    }
  })
})
