/** Entry point of the Pusher protocol component. */
export { PusherComponent, type PusherComponentOptions } from './pusher-component.js'
export { mountPusher, type MountPusherOptions } from './mount-pusher.js'
export { pusherOptionsSchema, pusherDefaults, pusherAppsOf, parsePusherOptions, type PusherConfig, type PusherConfigInput } from './options.js'
export { pusherNamespaces, withPusherNamespaces } from './namespaces.js'
export { pusherFormat } from './frame-encoder.js'
