/**
 * The `sprocket` command line: picks the subcommand, prints usage, turns failures into exit statuses.
 */
import { ConfigError } from '../config/index.js'
import { ExitStatus, StartupError, UsageError } from './command.js'
import { commands } from './commands.js'
import { parseFlags } from './parse-flags.js'
import { packageVersion } from './version.js'

/** Where the CLI writes; tests pass their own. */
export type CliOutput = {
  stdout: (text: string) => void
  stderr: (text: string) => void
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}

export function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
  return [
    'Usage: sprocket <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show this help (or a command\'s: sprocket <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n')
}

/**
 * Runs the `sprocket` command line and resolves to the exit status: 0 ok, 1 failure, 2 bad
 * command line or bad configuration (the message names the field).
 */
export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  try {
    const [first, ...rest] = argv
    if (first === undefined || first.startsWith('-')) return runGlobal(argv, output)
    const command = commands.find((candidate) => candidate.name === first)
    if (command === undefined) throw new UsageError(`unknown command '${first}'`)
    return await command.run(rest)
  } catch (error) {
    if (error instanceof UsageError) {
      output.stderr(`sprocket: ${error.message}\nRun 'sprocket --help' for usage.\n`)
      return ExitStatus.usage
    }
    if (error instanceof ConfigError) {
      output.stderr(`sprocket: ${error.message}\n`)
      return ExitStatus.usage
    }
    if (error instanceof StartupError) {
      output.stderr(`sprocket: ${error.message}\n`)
      return ExitStatus.failure
    }
    throw error
  }
}

function runGlobal(argv: readonly string[], output: CliOutput): number {
  const flags = parseFlags(argv, {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  })
  if (flags.version === true) {
    output.stdout(`${packageVersion()}\n`)
    return ExitStatus.ok
  }
  if (flags.help === true) {
    output.stdout(usage())
    return ExitStatus.ok
  }
  output.stderr(usage())
  return ExitStatus.usage
}
