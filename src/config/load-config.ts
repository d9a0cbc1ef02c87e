/** Loads the configuration from defaults, file, `SPROCKET_*` variables and flags, in that order. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { z } from 'zod'
import { ConfigError, type ConfigIssue } from './config-error.js'
import { configFileEnvVar, envBindings, platformPortEnvVar } from './env-bindings.js'
import { convertText, setPath, type Override } from './override.js'
import { configSchema, configSections, type Config } from './schema.js'

export type LoadConfigOptions = {
  /** Config file from `--config`; wins over `SPROCKET_CONFIG`. None: defaults + env + flags only. */
  configPath?: string
  /** Values from command-line flags; they win over everything else. */
  flags?: readonly Override[]
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Base for a relative config path. Defaults to `process.cwd()`. */
  cwd?: string
}

/**
 * Builds the configuration: defaults < config file (JSON) < `SPROCKET_*` variables < flags.
 * Throws `ConfigError` naming every bad field (unreadable file, bad JSON, wrong type, unknown field).
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  return resolveConfig(options).config
}

/** A loaded configuration and where its values came from. */
export type ResolvedConfig = {
  config: Config
  /** The config file's absolute path, if one was read. */
  fileSource: string | undefined
  /** The file's own values, before variables and flags. */
  fileValues: Record<string, unknown>
  /** Variables and flags, in the order they were applied. */
  overrides: readonly Override[]
}

/** `loadConfig`, keeping what `sprocket config print` needs to say where each value came from. */
export function resolveConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env
  const configPath = options.configPath ?? nonEmpty(env[configFileEnvVar])
  const fileSource = configPath === undefined ? undefined : resolve(options.cwd ?? process.cwd(), configPath)
  const raw = fileSource === undefined ? {} : readConfigFile(fileSource)
  const fileValues = structuredClone(raw)

  const overrides = [...envOverrides(env), ...(options.flags ?? [])]
  for (const override of overrides) setPath(raw, override.path, override.value)

  const result = configSchema.safeParse(raw)
  if (result.success) return { config: result.data, fileSource, fileValues, overrides }
  throw new ConfigError(result.error.issues.flatMap((issue) => toConfigIssues(issue, overrides, fileSource)))
}

/** The overrides that the `SPROCKET_*` variables set in `env` produce; empty values count as unset. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): Override[] {
  const sections = configSections()
  const overrides: Override[] = []
  for (const binding of envBindings) {
    const text = nonEmpty(env[binding.name])
    const section = binding.path.split('.')[0] ?? ''
    if (text === undefined || !sections.has(section)) continue
    overrides.push({ path: binding.path, value: convertText(text, binding.kind), source: binding.name })
  }
  const platformPort = nonEmpty(env[platformPortEnvVar])
  if (platformPort !== undefined && !overrides.some((override) => override.path === 'port')) {
    overrides.unshift({ path: 'port', value: convertText(platformPort, 'number'), source: platformPortEnvVar })
  }
  return overrides
}

/** A `SPROCKET_*` variable Sprocket does not read, with the known one it most resembles. */
export type UnknownEnvVariable = { name: string; didYouMean?: string }

/** The `SPROCKET_*` variables in `env` that Sprocket does not read: likely misspellings. */
export function unknownEnvVariables(env: Readonly<Record<string, string | undefined>>): UnknownEnvVariable[] {
  const known = [configFileEnvVar, ...envBindings.map((binding) => binding.name)]
  const unknown: UnknownEnvVariable[] = []
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('SPROCKET_') || known.includes(name)) continue
    const closest = known
      .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
      .sort((a, b) => a.distance - b.distance)[0]
    unknown.push(closest !== undefined && closest.distance <= 3 ? { name, didYouMean: closest.candidate } : { name })
  }
  return unknown
}

/** Levenshtein distance: insertions, deletions and substitutions turning `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1))
    }
    previous = current
  }
  return previous[b.length] as number
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new ConfigError([{ path: '', reason: `cannot read config file (${code})`, source: path }])
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([{ path: '', reason: `not valid JSON: ${(error as Error).message}`, source: path }])
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([{ path: '', reason: 'the config file must hold a JSON object', source: path }])
  }
  return parsed as Record<string, unknown>
}

function toConfigIssues(issue: z.core.$ZodIssue, overrides: readonly Override[], fileSource: string | undefined): ConfigIssue[] {
  const base = issue.path.map(String)
  const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...base, key].join('.')) : [base.join('.')]
  const reason = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message
  return paths.map((path) => {
    const source = sourceOf(path, overrides) ?? fileSource
    return source === undefined ? { path, reason } : { path, reason, source }
  })
}

/** The last override that set this path or a parent or child of it. */
function sourceOf(path: string, overrides: readonly Override[]): string | undefined {
  let found: string | undefined
  for (const override of overrides) {
    const related = override.path === path || path.startsWith(`${override.path}.`) || override.path.startsWith(`${path}.`)
    if (related) found = override.source
  }
  return found
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text
}
