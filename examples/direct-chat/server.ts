import { App } from '../../src/index.js'
import { DirectChat } from './direct-chat.js'

const app = new App({ host: '0.0.0.0', port: Number(process.env.PORT ?? 8080) })
app.route('/chat', new DirectChat(), ['*'])
const { port } = await app.run()

console.log(`direct chat on ws://localhost:${port}/chat`)
process.once('SIGINT', () => void app.close())
process.once('SIGTERM', () => void app.close())
