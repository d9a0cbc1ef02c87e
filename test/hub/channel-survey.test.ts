import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryEngine } from '../../src/engine/memory/memory-engine.js'
import { ChannelSurvey } from '../../src/hub/channel-survey.js'
import { Hub } from '../../src/hub/hub.js'
import { CountingEncoder, RecordingSubscriber } from './helpers.js'

test('a survey sums the answers it gets and, short of the expected nodes, returns what it has at the timeout', async () => {
  const engine = createMemoryEngine()
  const hub = new Hub(engine)
  hub.registerFormat('json', new CountingEncoder())
  await hub.start()
  let expected = 1
  const survey = new ChannelSurvey(hub, 'self', () => expected)
  survey.start()
  try {
    const subscriber = new RecordingSubscriber('u1')
    ;(await hub.subscribe(subscriber, 'room', { info: subscriber.info })).activate()
    const started = Date.now()
    assert.deepEqual([...(await survey.survey(5_000))], [['room', 1]])
    assert.ok(Date.now() - started < 1_000, 'one node expected, one answered: no wait')
    expected = 2
    const waited = Date.now()
    assert.deepEqual([...(await survey.survey(200))], [['room', 1]])
    assert.ok(Date.now() - waited >= 190, 'waited for the missing node until the timeout')
  } finally {
    survey.close()
    await hub.close()
    await engine.close()
  }
})
