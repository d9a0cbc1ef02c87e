/**
 * The config blocks of docs/deploy.md, as the tests run them: each block follows a
 * `<!-- block: name -->` marker, and only the values of the page's substitution table change.
 */
import assert from 'node:assert/strict'
import { accessSync, constants, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../cli/cli-process.js'

/** docs/deploy.md as it stands. */
export const deployPage = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8')

/** The text of the fenced block after `<!-- block: name -->`. */
export function deployBlock(name: string): string {
  const after = deployPage.split(`<!-- block: ${name} -->\n`)[1]
  const block = after?.match(/^```[a-z]*\n([\s\S]*?)```/)?.[1]
  assert.ok(block !== undefined, `docs/deploy.md has a block marked ${name}`)
  return block
}

/** Replaces each `from` (every occurrence, which must exist) with its `to`. */
export function substitute(text: string, replacements: readonly (readonly [from: string, to: string])[]): string {
  let result = text
  for (const [from, to] of replacements) {
    assert.ok(result.includes(from), `the block contains ${from}`)
    result = result.split(from).join(to)
  }
  return result
}

/** `false` when the binary a test needs is there, else the skip message (with `CI=true`, a missing binary throws). */
export function binarySkip(path: string, packageName: string): false | string {
  try {
    accessSync(path, constants.X_OK)
    return false
  } catch {
    const message = `${path} not found: install Debian's ${packageName} (apt-get install ${packageName}); .ci/run does`
    if (process.env.CI === 'true') throw new Error(message)
    return message
  }
}
