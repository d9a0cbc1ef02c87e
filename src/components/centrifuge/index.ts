/** Public entry point of the native protocol component. */
export { CentrifugeComponent, type CentrifugeComponentDeps } from './centrifuge-component.js'
export { mountCentrifuge, centrifugePath, type MountCentrifugeOptions } from './mount-centrifuge.js'
export { RpcError, RpcRegistry, type RpcContext, type RpcHandler, type SendHandler } from './rpc-registry.js'
export type { ControlKinds, ControlKind } from '../../hub/control-messages.js'
export type { CentrifugeOptions } from './options.js'
export { centrifugeFormat } from './frame-encoder.js'
