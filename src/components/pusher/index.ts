/** Entry point of the Pusher protocol component. */
export { PusherComponent, type PusherComponentOptions } from './pusher-component.js'
export { mountPusher, type MountPusherOptions } from './mount-pusher.js'
export { pusherOptionsSchema, pusherDefaults, webhookDeliveryDefaults, pusherAppsOf, parsePusherOptions, type PusherConfig, type PusherConfigInput } from './options.js'
export { pusherNamespaces, withPusherNamespaces } from './namespaces.js'
export { pusherFormat } from './frame-encoder.js'
export { PusherWebhooks } from './webhooks/pusher-webhooks.js'
export type { WebhookMetrics } from './webhooks/webhook-target.js'
export { PusherApps, type PusherApp } from '../../protocol/pusher/index.js'
