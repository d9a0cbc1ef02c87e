import { App, EchoServer } from '../../src/index.js'

// Ratchet: $app = new App('localhost', 8080); $app->route('/echo', new EchoServer, ['*']); $app->run();
const app = new App({ host: '0.0.0.0', port: Number(process.env.PORT ?? 8080) })
app.route('/echo', new EchoServer(), ['*'])
const { port } = await app.run()

console.log(`echo server on ws://localhost:${port}/echo`)
process.once('SIGINT', () => void app.close())
process.once('SIGTERM', () => void app.close())
