/**
 * `sprocket config check` and `sprocket config print`: the configuration a `serve` with the same
 * flags, variables and file would run with, checked or shown value by value with its source
 * (secrets masked), without starting anything.
 */
import { configEntries, resolveConfig, unknownEnvVariables } from '../config/index.js'
import { ExitStatus, UsageError, type Command } from './command.js'
import { configFlags, configFlagsUsage, flagOverrides } from './config-flags.js'
import { parseFlags } from './parse-flags.js'

const flags = { ...configFlags, help: { type: 'boolean', short: 'h' } } as const

const usage = `Usage: sprocket config check [options]
       sprocket config print [options]

check: loads the configuration as 'sprocket serve' would (defaults, the config
file, SPROCKET_* variables, flags) and reports every bad field (exit 2) or says
it is valid (exit 0). Unknown SPROCKET_* variables are reported.
print: the effective configuration, one field per line with where its value
came from (default, the file, a variable or a flag); secrets are masked.

Options (the same as sprocket serve's):
${configFlagsUsage}
  -h, --help             show this help
`

export const configCommand: Command = {
  name: 'config',
  summary: 'check or print the effective configuration',
  usage,
  async run(args) {
    const [action, ...rest] = args
    const parsed = parseFlags(rest, flags)
    if (parsed.help === true || action === '--help' || action === '-h') {
      process.stdout.write(usage)
      return ExitStatus.ok
    }
    if (action !== 'check' && action !== 'print') throw new UsageError(`config needs 'check' or 'print', got '${action ?? ''}'`)
    for (const variable of unknownEnvVariables(process.env)) {
      const hint = variable.didYouMean === undefined ? '' : ` (did you mean ${variable.didYouMean}?)`
      process.stderr.write(`sprocket: unknown variable ${variable.name} ignored${hint}\n`)
    }
    // A bad configuration throws ConfigError here: the CLI prints every bad field and exits 2.
    const resolved = resolveConfig({ ...(parsed.config !== undefined && { configPath: parsed.config }), flags: flagOverrides(parsed) })
    if (action === 'check') {
      process.stdout.write(`configuration is valid${resolved.fileSource === undefined ? '' : ` (${resolved.fileSource})`}\n`)
      return ExitStatus.ok
    }
    for (const entry of configEntries(resolved)) {
      process.stdout.write(`${entry.path} = ${JSON.stringify(entry.value) ?? 'unset'}  # ${entry.source}\n`)
    }
    return ExitStatus.ok
  },
}
