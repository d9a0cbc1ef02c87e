import { pino } from 'pino'
import { EchoServer } from '../../src/index.js'
import { clientFrame, RawClient, startApp } from './helpers.js'
const app = await startApp({ logger: pino({ level: 'debug' }) }, (a) => a.route('/big', new EchoServer(), undefined, { maxMessageBytes: 8 * 1024 * 1024 }))
const raw = await RawClient.open(app.port, '/big')
const payload = Buffer.alloc(64, 0x61); const frames = []
for (let i = 0; i < 65536; i++) frames.push(clientFrame(i === 0 ? 2 : 0, payload, { fin: i === 65535 }))
raw.send(Buffer.concat(frames))
const f = await raw.waitFor((f) => f.opcode === 2 || f.opcode === 8, 20000)
console.log(f?.opcode, f?.payload.length, f?.opcode === 8 ? f.payload.readUInt16BE(0) : '', f?.payload.subarray(2).toString())
raw.destroy(); await app.close()
