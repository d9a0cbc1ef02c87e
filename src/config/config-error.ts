/** One thing wrong with the configuration: where, and why. */
export type ConfigIssue = {
  /** Dotted path of the field (`limits.maxMessageBytes`), or '' for the whole file. */
  path: string
  reason: string
  /** Where the bad value came from: a flag (`--port`), a variable (`SPROCKET_PORT`) or a file path. */
  source?: string
}

/**
 * The configuration could not be loaded: unreadable file, bad JSON, a wrong type or an unknown
 * field. The message names every bad field's path; `sprocket serve` prints it and exits with 2.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[]

  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map(formatIssue).join('\n')}`)
    this.name = 'ConfigError'
    this.issues = issues
  }
}

function formatIssue(issue: ConfigIssue): string {
  if (issue.path === '') return `  ${issue.source ?? 'config'}: ${issue.reason}`
  const from = issue.source === undefined ? '' : ` (from ${issue.source})`
  return `  ${issue.path}${from}: ${issue.reason}`
}
