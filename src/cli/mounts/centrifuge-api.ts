/** `sprocket serve`'s Centrifugo-compatible server HTTP API (`/api/<method>`), with the node registry its `info` lists. */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Registry } from 'prom-client'
import type { ClientAuthOptions } from '../../auth/index.js'
import { mountServerApi, type ServerApiOptions } from '../../http/centrifuge-api/server-api.js'
import type { ServerApiHub } from '../../http/centrifuge-api/server-api-executor.js'
import { ChannelSurvey } from '../../hub/channel-survey.js'
import { NodeRegistry, type NodeInfo } from '../../hub/node-registry.js'
import type { HttpMountable } from '../../server/types.js'
import { packageVersion } from '../version.js'

/** How long the API's `channels` waits for the other nodes' counts. */
const CHANNELS_SURVEY_TIMEOUT_MS = 2_000

/** The part of `sprocket serve`'s context the server API needs. */
export type ServerApiContext = {
  app: HttpMountable & { readonly connectionCount: number }
  hub: ServerApiHub
  config: { api: { key?: string | undefined; maxBodyBytes: number; maxBatchCommands: number; maxBatchReplyBytes: number }; client: ClientAuthOptions }
  logger: ServerApiOptions['logger']
  /** The Prometheus registry /metrics serves: the API counts its calls there. */
  registry: Registry
  /** Registers work for shutdown (the node registry stops announcing this node). */
  onShutdown?: (close: () => void | Promise<void>) => void
}

/**
 * `sprocket serve`'s hook: the server API from the `api` and `client` config sections. A
 * `NodeRegistry` announces this node over the engine's control channel, so on a distributed
 * engine `info` lists every live node, and a `ChannelSurvey` makes `channels` count every node's
 * subscribers.
 */
export function serverApiMount({ app, hub, config, logger, registry, onShutdown }: ServerApiContext): void {
  const describe = describeNode(app, hub)
  const nodes = new NodeRegistry(hub, describe)
  nodes.start()
  const survey = new ChannelSurvey(hub, describe().uid, () => nodes.nodes().length)
  survey.start()
  onShutdown?.(async () => {
    survey.close()
    await nodes.close()
  })
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
    nodes: () => nodes.nodes(),
    clusterChannels: () => survey.survey(CHANNELS_SURVEY_TIMEOUT_MS),
  })
}

/** This node as the registry announces it: connections and local subscriptions right now. */
function describeNode(app: { readonly connectionCount: number }, hub: ServerApiHub): () => NodeInfo {
  const uid = randomUUID()
  const name = hostname()
  const version = packageVersion()
  const startedMs = Date.now()
  return () => {
    const channels = hub.channels()
    let numSubs = 0
    for (const count of channels.values()) numSubs += count
    return {
      uid,
      name,
      version,
      numClients: app.connectionCount,
      numUsers: 0,
      numChannels: channels.size,
      numSubs,
      uptimeSeconds: Math.floor((Date.now() - startedMs) / 1000),
    }
  }
}
