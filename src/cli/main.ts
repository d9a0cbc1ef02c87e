/** Entry point of the `sprocket` command (bin/sprocket.js imports the compiled copy). */
import { ExitStatus } from './command.js'
import { runCli } from './cli.js'

try {
  process.exit(await runCli(process.argv.slice(2)))
} catch (error) {
  process.stderr.write(`sprocket: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(ExitStatus.failure)
}
