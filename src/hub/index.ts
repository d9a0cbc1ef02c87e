/** Public entry point of the hub. */
export { Hub, createHub } from './hub.js'
export { personalChannel, userLimitedChannel, parseChannelName, type ChannelName } from './channel-name.js'
export { ChannelOptionsResolver, type ChannelOptions, type ResolvedChannel } from './channel-options.js'
export {
  channelsDefaults,
  namespaceDefaults,
  channelsOptionsSchema,
  namespaceOptionsSchema,
  parseChannelsOptions,
  accessLevels,
  type AccessLevel,
  type ChannelsOptions,
  type ChannelsOptionsInput,
  type NamespaceOptions,
  type NamespaceOptionsInput,
} from './options.js'
export { evaluateRecovery, type RecoveryOutcome } from './recovery.js'
export { NodeRegistry, nodeRegistryDefaults, type NodeInfo, type NodeRegistryOptions } from './node-registry.js'
export { ChannelSurvey } from './channel-survey.js'
export type { Logger } from '../logger.js'
export type { ControlKinds, ControlKind, ControlKindMessage } from './control-messages.js'
export type * from './types.js'
