/** The list of `sprocket` subcommands. */
import type { Command } from './command.js'
import { configCommand } from './config-command.js'
import { serveCommand } from './serve.js'
import { tokenCommand } from './token.js'

/** Every `sprocket` subcommand, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  serveCommand,
  configCommand,
  tokenCommand,
]
