import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { app1, authEndpoint, sdk, startPusherServer, until, type AuthEndpoint, type PusherTestServer } from './harness.js'

const Pusher = createRequire(import.meta.url)('pusher-js') as unknown

/** laravel-echo is an ES module whose CommonJS build does not load under Node: import() it. */
async function echoClass(): Promise<new (options: Record<string, unknown>) => any> {
  return ((await import('laravel-echo')) as { default: new (options: Record<string, unknown>) => any }).default
}

for (const broadcaster of ['reverb', 'pusher'] as const) {
  describe(`Laravel Echo (${broadcaster} broadcaster)`, () => {
    let server: PusherTestServer
    let auth: AuthEndpoint
    const echoes: any[] = []
    let user = 'u1'

    before(async () => {
      server = await startPusherServer()
      auth = await authEndpoint(sdk(server.port), () => ({ user_id: user, user_info: { name: `name-${user}` } }))
    })
    after(async () => {
      for (const echo of echoes) echo.disconnect()
      await auth.close()
      await server.close()
    })

    async function echo(): Promise<any> {
      const Echo = await echoClass()
      const instance = new Echo({
        broadcaster,
        Pusher,
        key: app1.key,
        ...(broadcaster === 'pusher' ? { cluster: 'mt1' } : {}),
        wsHost: '127.0.0.1',
        wsPort: server.port,
        wssPort: server.port,
        forceTLS: false,
        enabledTransports: ['ws'],
        authEndpoint: auth.url,
      })
      echoes.push(instance)
      await until(() => instance.connector.pusher.connection.state === 'connected')
      return instance
    }

    it('public channel: listen() gets an event named by its class, and .name by broadcastAs', async () => {
      const e = await echo()
      const got: unknown[] = []
      const channel = e.channel('orders').listen('OrderShipped', (data: unknown) => got.push(data)).listen('.custom-name', (data: unknown) => got.push(data))
      await new Promise<void>((resolve) => channel.subscribed(() => resolve()))
      await sdk(server.port).trigger('orders', 'App\\Events\\OrderShipped', { id: 1 })
      await sdk(server.port).trigger('orders', 'custom-name', { id: 2 })
      await until(() => got.length === 2)
      assert.deepEqual(got, [{ id: 1 }, { id: 2 }])
    })

    it('private channel through the auth endpoint', async () => {
      const e = await echo()
      const got: unknown[] = []
      const channel = e.private('user.1').listen('.balance', (data: unknown) => got.push(data))
      await new Promise<void>((resolve) => channel.subscribed(() => resolve()))
      await sdk(server.port).trigger('private-user.1', 'balance', { amount: 5 })
      await until(() => got.length === 1)
      assert.deepEqual(got, [{ amount: 5 }])
    })

    it('presence channel: here, joining, leaving', async () => {
      user = 'u1'
      const first = await echo()
      let here: Array<{ name: string }> = []
      const joining: unknown[] = []
      const leaving: unknown[] = []
      first.join('lobby').here((members: Array<{ name: string }>) => (here = members)).joining((m: unknown) => joining.push(m)).leaving((m: unknown) => leaving.push(m))
      await until(() => here.length === 1)
      user = 'u2'
      const second = await echo()
      let secondHere: unknown[] = []
      second.join('lobby').here((members: unknown[]) => (secondHere = members))
      await until(() => secondHere.length === 2 && joining.length === 1)
      assert.deepEqual(joining, [{ name: 'name-u2' }])
      second.leave('lobby')
      await until(() => leaving.length === 1)
      assert.deepEqual(leaving, [{ name: 'name-u2' }])
    })
  })
}
