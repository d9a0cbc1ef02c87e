/** Typed command-line flag parsing for the subcommands (`node:util` parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './command.js'

type Options = NonNullable<ParseArgsConfig['options']>
type StrictConfig<T extends Options> = { args: string[]; options: T; strict: true; allowPositionals: false }
/** The flag values `parseArgs` returns for `T`. */
export type Flags<T extends Options> = ReturnType<typeof parseArgs<StrictConfig<T>>>['values']

/**
 * `node:util` parseArgs in strict mode, with its errors (unknown flag, missing value, stray
 * argument) turned into `UsageError`s.
 */
export function parseFlags<const T extends Options>(args: readonly string[], options: T): Flags<T> {
  try {
    return parseArgs<StrictConfig<T>>({ args: [...args], options, strict: true, allowPositionals: false }).values
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message)
    }
    throw error
  }
}
