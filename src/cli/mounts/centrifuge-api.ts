/** `sprocket serve`'s Centrifugo-compatible server HTTP API (`/api/<method>`). */
import type { Registry } from 'prom-client'
import type { ClientAuthOptions } from '../../auth/index.js'
import { mountServerApi, type ServerApiOptions } from '../../http/centrifuge-api/server-api.js'
import type { ServerApiHub } from '../../http/centrifuge-api/server-api-executor.js'
import type { HttpMountable } from '../../server/types.js'

/** The part of `sprocket serve`'s context the server API needs. */
export type ServerApiContext = {
  app: HttpMountable & { readonly connectionCount: number }
  hub: ServerApiHub
  config: { api: { key?: string | undefined; maxBodyBytes: number; maxBatchCommands: number; maxBatchReplyBytes: number }; client: ClientAuthOptions }
  logger: ServerApiOptions['logger']
  registry: Registry
}

/** `sprocket serve`'s hook: the server API from the `api` and `client` config sections. */
export function serverApiMount({ app, hub, config, logger, registry }: ServerApiContext): void {
  mountServerApi(app, {
    hub,
    apiKey: config.api.key,
    maxBodyBytes: config.api.maxBodyBytes,
    maxBatchCommands: config.api.maxBatchCommands,
    maxBatchReplyBytes: config.api.maxBatchReplyBytes,
    logger,
    clientAuth: config.client,
    registry,
    nodeStats: () => ({ numClients: app.connectionCount, numUsers: 0 }),
  })
}
