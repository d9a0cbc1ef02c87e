/**
 * The configured Pusher apps, looked up by key (WebSocket endpoint) and by id (REST API).
 */
import type { PusherApp } from './app-options.js'

/** An immutable set of apps; ids and keys are unique (the config schema checks it). */
export class PusherApps {
  readonly #byKey = new Map<string, PusherApp>()
  readonly #byId = new Map<string, PusherApp>()

  constructor(apps: readonly PusherApp[]) {
    for (const app of apps) {
      if (this.#byKey.has(app.key) || this.#byId.has(app.id)) throw new Error(`two Pusher apps share the id ${app.id} or the key ${app.key}`)
      this.#byKey.set(app.key, app)
      this.#byId.set(app.id, app)
    }
  }

  get size(): number {
    return this.#byId.size
  }

  all(): Iterable<PusherApp> {
    return this.#byId.values()
  }

  byKey(key: string): PusherApp | undefined {
    return this.#byKey.get(key)
  }

  byId(id: string): PusherApp | undefined {
    return this.#byId.get(id)
  }
}
