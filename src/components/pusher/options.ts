/**
 * The `pusher` config section: the Pusher protocol's endpoint, REST API and apps, with defaults
 * written once (the schema and `PusherComponent` read the same constants). Listed in
 * docs/config.md and docs/pusher.md.
 */
import { z } from 'zod'
import { namespaceOfApp, pusherAppSchema, type PusherApp, type PusherAppConfig } from '../../protocol/pusher/app-options.js'
import { namespacesOf } from '../../protocol/pusher/channels.js'

const positiveInt = () => z.number().int().positive()

/** Defaults of the section's own fields. */
export const pusherDefaults = {
  path: '',
  activityTimeoutSeconds: 120,
  pongTimeoutMs: 30_000,
  maxMessageBytes: 65_536,
  maxBodyBytes: 262_144,
  maxMessagesPerSecond: 100,
  messageBurst: 200,
} as const

/** Defaults of webhook delivery (`pusher.webhookDelivery`). */
export const webhookDeliveryDefaults = {
  batchMs: 1000,
  maxBatchEvents: 100,
  debounceMs: 3000,
  retryForMs: 60_000,
  timeoutMs: 5000,
  maxQueuedEvents: 10_000,
} as const

/** How webhooks are delivered, for every app. */
export const webhookDeliverySchema = z.strictObject({
  /** Events are collected this long, then sent in one request. */
  batchMs: positiveInt().default(webhookDeliveryDefaults.batchMs),
  /** Most events in one request; a full batch is sent at once. */
  maxBatchEvents: positiveInt().default(webhookDeliveryDefaults.maxBatchEvents),
  /**
   * `channel_vacated` and `member_removed` wait this long; an occupied (member_added) within it
   * cancels both, so a page reload reports nothing.
   */
  debounceMs: z.number().int().nonnegative().default(webhookDeliveryDefaults.debounceMs),
  /** A failed request (network error, timeout, non-2xx) is retried with doubling backoff from 1 s for this long, then dropped. */
  retryForMs: z.number().int().nonnegative().default(webhookDeliveryDefaults.retryForMs),
  /** One request's timeout. */
  timeoutMs: positiveInt().default(webhookDeliveryDefaults.timeoutMs),
  /** Events waiting per webhook; more are dropped (logged and counted). */
  maxQueuedEvents: positiveInt().default(webhookDeliveryDefaults.maxQueuedEvents),
})
export type WebhookDeliveryOptions = z.output<typeof webhookDeliverySchema>


/**
 * The `pusher` section. The endpoint and the REST API are mounted only when at least one app is
 * configured (`apps`, or `app` — the one-app form the `SPROCKET_PUSHER_APP_*` variables set).
 */
export const pusherOptionsSchema = z
  .strictObject({
    /** Prefix before `/app/{key}` and `/apps/{id}/…` (pusher-js `wsPath`; the SDKs' `path` option): '' or `/something`. */
    path: z
      .string()
      .regex(/^(\/[-a-zA-Z0-9_.~]+)*$/, "'' or a path like /pusher, without a trailing slash")
      .default(pusherDefaults.path),
    /** Sent as `activity_timeout`; a connection silent this long gets `pusher:ping`. */
    activityTimeoutSeconds: positiveInt().max(3600).default(pusherDefaults.activityTimeoutSeconds),
    /** After a server `pusher:ping`, a peer that sends nothing within this long is closed with 4201. */
    pongTimeoutMs: positiveInt().default(pusherDefaults.pongTimeoutMs),
    /** Largest WebSocket message, in bytes; larger messages close the connection with 1009. */
    maxMessageBytes: positiveInt().default(pusherDefaults.maxMessageBytes),
    /** Messages per second one connection may sustain (token-bucket refill); beyond the burst the connection is closed with 4100. */
    maxMessagesPerSecond: positiveInt().default(pusherDefaults.maxMessagesPerSecond),
    /** Messages one connection may send at once (a reconnect subscribes to every channel in one go). */
    messageBurst: positiveInt().default(pusherDefaults.messageBurst),
    /** Largest REST request body, in bytes; larger is refused with 413. */
    maxBodyBytes: positiveInt().default(pusherDefaults.maxBodyBytes),
    /** How webhooks are batched, debounced and retried. */
    webhookDelivery: webhookDeliverySchema.prefault({}),
    /** The apps. Ids, keys and namespaces must be unique. */
    apps: z.array(pusherAppSchema).default([]),
    /** One more app, for configuring a single app from the environment (`SPROCKET_PUSHER_APP_ID`, `_KEY`, `_SECRET`). */
    app: pusherAppSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const apps = value.app === undefined ? value.apps : [...value.apps, value.app]
    const seen = { id: new Set<string>(), key: new Set<string>(), namespace: new Set<string>() }
    for (const app of apps) {
      const namespace = namespaceOfApp(app)
      const fields = [['id', app.id], ['key', app.key], ...namespacesOf(namespace).map((name) => ['namespace', name] as const)] as const
      for (const [field, text] of fields) {
        if (seen[field].has(text)) ctx.addIssue({ code: 'custom', path: ['apps'], message: `two apps share the ${field} ${text}` })
        seen[field].add(text)
      }
    }
  })

export type PusherConfig = z.output<typeof pusherOptionsSchema>
export type PusherConfigInput = z.input<typeof pusherOptionsSchema>

/** Every configured app, namespaces resolved (`app` last). */
export function pusherAppsOf(config: Pick<PusherConfig, 'apps' | 'app'>): PusherApp[] {
  const apps: PusherAppConfig[] = config.app === undefined ? config.apps : [...config.apps, config.app]
  return apps.map((app) => ({ ...app, namespace: namespaceOfApp(app) }))
}

/** The section parsed (defaults filled); throws a `ZodError` with paths. */
export function parsePusherOptions(input: PusherConfigInput = {}): PusherConfig {
  return pusherOptionsSchema.parse(input)
}
