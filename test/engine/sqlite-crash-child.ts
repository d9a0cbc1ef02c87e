/**
 * Child process for the kill -9 durability test: publishes 500 times to `crash`, prints the last
 * resolved position, then kills itself without closing the engine.
 */
import { createSqliteEngine } from '../../src/engine/sqlite/sqlite-engine.js'
import { Recorder } from './recorder.js'

const file = process.argv[2]
if (file === undefined) throw new Error('usage: sqlite-crash-child.ts <file>')
const engine = createSqliteEngine({ file })
await engine.start(new Recorder())
const opts = { historySize: 1000, historyTtlMs: 60_000 }
let last = { offset: 0, epoch: '' }
for (let round = 0; round < 5; round++) {
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => engine.publish('crash', String(round * 100 + i), opts)))
  last = results.at(-1)!
}
process.stdout.write(`${JSON.stringify({ offset: last.offset, epoch: last.epoch })}\n`, () => process.kill(process.pid, 'SIGKILL'))
