/** Entry point of `config/`: loading, the schema, and its errors. */
export { ConfigError, type ConfigIssue } from './config-error.js'
export { configFileEnvVar, envBindings, type EnvBinding, type EnvKind } from './env-bindings.js'
export {
  envOverrides,
  loadConfig,
  resolveConfig,
  unknownEnvVariables,
  type LoadConfigOptions,
  type ResolvedConfig,
  type UnknownEnvVariable,
} from './load-config.js'
export { configEntries, type ConfigEntry } from './config-sources.js'
export { convertText, type Override } from './override.js'
export { configSchema, type Config, type ConfigInput } from './schema.js'
export { shutdownDrainDelayMs } from './server-schema.js'
