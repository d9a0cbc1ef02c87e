/**
 * A Pusher app's settings (id, key, secret, switches and limits): the schema of one entry of the
 * `pusher.apps` config list, with defaults written once. Both the WebSocket component and the REST
 * API read apps through `PusherApps`.
 */
import { z } from 'zod'
import { webhookEventNames } from './webhook.js'

/** Defaults of one app's settings — the one place they are written. Listed in docs/pusher.md and docs/config.md. */
export const pusherAppDefaults = {
  enabled: true,
  enableClientMessages: false,
  maxConnections: 10_000,
  maxPresenceMembers: 100,
  maxPresenceMemberInfoBytes: 1_000,
  maxClientEventsPerSecond: 10,
  maxEventBytes: 10_240,
  maxEventNameLength: 200,
  maxEventChannels: 100,
  maxBatchEvents: 10,
  cacheTtlSeconds: 1800,
} as const

const positiveInt = () => z.number().int().positive()

/** App ids and namespaces become hub namespace names, so they keep to that grammar. */
const idPattern = /^[-a-zA-Z0-9_]{1,40}$/
/** Keys appear in the `/app/{key}` path. */
const keyPattern = /^[-a-zA-Z0-9_.]{1,128}$/
/** Short enough for `<namespace>-presence-cache` to stay within the hub's 64 characters. */
const namespacePattern = /^[-a-zA-Z0-9_]{2,49}$/

/** One webhook of an app: where to POST, and which events (default: all). */
export const pusherWebhookSchema = z.strictObject({
  /** An http or https URL. */
  url: z.url({ protocol: /^https?$/ }),
  /** Events to send; default all six. */
  events: z.array(z.enum(webhookEventNames)).min(1).optional(),
})
export type PusherWebhookConfig = z.output<typeof pusherWebhookSchema>

/** One Pusher app. */
export const pusherAppSchema = z.strictObject({
  /** The app id the REST API is called with (`/apps/{id}/…`): 1–40 of `a-z A-Z 0-9 - _`. */
  id: z.string().regex(idPattern, 'app ids are 1-40 of a-z A-Z 0-9 - _'),
  /** The public key clients connect with (`/app/{key}`). */
  key: z.string().regex(keyPattern, 'app keys are 1-128 of a-z A-Z 0-9 - _ .'),
  /** Signs channel auth and REST requests. */
  secret: z.string().min(1, 'must not be empty'),
  /** Off: connections are refused with 4003 and REST calls with 403. */
  enabled: z.boolean().default(pusherAppDefaults.enabled),
  /** Clients may send `client-*` events on private and presence channels. Off: refused with 4301. */
  enableClientMessages: z.boolean().default(pusherAppDefaults.enableClientMessages),
  /** Connections of this app per node; one more is refused with 4004. */
  maxConnections: positiveInt().default(pusherAppDefaults.maxConnections),
  /** Users in one presence channel; one more is refused with subscription status 403. */
  maxPresenceMembers: positiveInt().default(pusherAppDefaults.maxPresenceMembers),
  /** Largest `user_info` of a presence member, in bytes of JSON; larger is refused with status 400. */
  maxPresenceMemberInfoBytes: positiveInt().default(pusherAppDefaults.maxPresenceMemberInfoBytes),
  /** Client events one connection may send per second (burst of the same size); more are refused with 4301. */
  maxClientEventsPerSecond: positiveInt().default(pusherAppDefaults.maxClientEventsPerSecond),
  /** Largest event `data`, in UTF-8 bytes: client events over it get 4302, REST events 413. */
  maxEventBytes: positiveInt().default(pusherAppDefaults.maxEventBytes),
  /** Longest event name; longer is refused (4300 from a client, 400 from the REST API). */
  maxEventNameLength: positiveInt().default(pusherAppDefaults.maxEventNameLength),
  /** Channels one REST event may name; more is refused with 400. */
  maxEventChannels: positiveInt().default(pusherAppDefaults.maxEventChannels),
  /** Events one `batch_events` call may carry; more is refused with 400. */
  maxBatchEvents: positiveInt().default(pusherAppDefaults.maxBatchEvents),
  /** Webhooks: `channel_occupied`, `channel_vacated`, `member_added`, `member_removed`, `client_event`, `cache_miss`. */
  webhooks: z.array(pusherWebhookSchema).max(10).default([]),
  /** How long a cache channel keeps its last event, in seconds. */
  cacheTtlSeconds: positiveInt().default(pusherAppDefaults.cacheTtlSeconds),
  /**
   * The hub namespace of the app's channels (with `<namespace>-presence`, `<namespace>-cache` and `<namespace>-presence-cache`).
   * Default `pusher-<id>`. Name it to reach the app's channels from the native protocol.
   */
  namespace: z.string().regex(namespacePattern, 'namespaces are 2-49 of a-z A-Z 0-9 - _').optional(),
})

export type PusherAppConfig = z.output<typeof pusherAppSchema>
export type PusherAppInput = z.input<typeof pusherAppSchema>

/** A configured app with its namespace resolved. */
export type PusherApp = PusherAppConfig & { readonly namespace: string }

/** The namespace an app's channels live in. */
export function namespaceOfApp(app: PusherAppConfig): string {
  return app.namespace ?? `pusher-${app.id}`
}
