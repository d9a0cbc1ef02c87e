/** One `sprocket <name>` subcommand. Registered in commands.ts. */
export type Command = {
  readonly name: string
  /** One line for `sprocket --help`. */
  readonly summary: string
  /** Full text for `sprocket <name> --help`. */
  readonly usage: string
  /** Runs the command with the arguments after its name; resolves to the process exit status. */
  run(args: readonly string[]): Promise<number>
}

/** The command line itself is wrong (unknown command or flag, bad flag value): exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The command could not start for a reason the operator can fix; the message says how. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StartupError'
  }
}

/** Exit statuses of the `sprocket` command. */
export const ExitStatus = {
  ok: 0,
  /** An uncaught error, a failed start, or a shutdown that overran its timeout. */
  failure: 1,
  /** Bad command line or bad configuration. */
  usage: 2,
} as const
