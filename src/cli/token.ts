/** `sprocket token`: mints a connection token with the configured secret, for testing and scripts. */
import { join } from 'node:path'
import { signConnectionToken } from '../auth/sign-token.js'
import { loadConfig } from '../config/index.js'
import { ExitStatus, UsageError, type Command } from './command.js'
import { chatDemoTokenSecret } from './mounts/chat.js'
import { parseFlags } from './parse-flags.js'

const tokenFlags = {
  config: { type: 'string', short: 'c' },
  user: { type: 'string', short: 'u' },
  ttl: { type: 'string' },
  info: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const usage = `Usage: sprocket token --user ID [--ttl SECONDS] [--info JSON] [--config FILE]

Prints an HS256 connection token for a user, signed with client.tokenSecret
(env SPROCKET_TOKEN_SECRET, or the config file); in demo mode (no key configured)
with the demo secret in the data directory, which the server then accepts. Use it for tests and scripts; a
website mints its own tokens (see docs/integrations/php.md).

Options:
  -u, --user ID          user id (the token's sub claim); '' for an anonymous token
      --ttl SECONDS      lifetime; 0 = never expires (default 3600)
      --info JSON        connection info shown to others, e.g. '{"name":"Ann"}'
  -c, --config FILE      JSON config file (default: $SPROCKET_CONFIG, else none)
      --data-dir DIR     data directory holding the demo secret (default ./data)
  -h, --help             show this help
`

function parseTtl(text: string | undefined): number {
  if (text === undefined) return 3600
  const ttl = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(ttl)) throw new UsageError(`--ttl must be a whole number of seconds, got '${text}'`)
  return ttl
}

function parseInfo(text: string | undefined): unknown {
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`--info must be JSON, got '${text}'`)
  }
}

/** `sprocket token`: mints a connection token with the configured secret. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'print a signed connection token for a user',
  usage,
  async run(args) {
    const flags = parseFlags(args, tokenFlags)
    if (flags.help === true) {
      process.stdout.write(usage)
      return ExitStatus.ok
    }
    if (flags.user === undefined) throw new UsageError('--user is required')
    const ttlSeconds = parseTtl(flags.ttl)
    const info = parseInfo(flags.info)
    const config = loadConfig({
      ...(flags.config !== undefined ? { configPath: flags.config } : {}),
      ...(flags['data-dir'] !== undefined ? { flags: [{ path: 'dataDir', value: flags['data-dir'], source: '--data-dir' }] } : {}),
    })
    const demoSecret = config.client.tokenSecret === undefined ? chatDemoTokenSecret(config) : undefined
    const secret = config.client.tokenSecret ?? demoSecret
    if (secret === undefined) {
      process.stderr.write(
        'sprocket: no token secret configured: set SPROCKET_TOKEN_SECRET or client.tokenSecret in the config file\n',
      )
      return ExitStatus.usage
    }
    if (demoSecret !== undefined) {
      process.stderr.write(`sprocket: demo mode: signed with the demo secret in ${join(config.dataDir, 'demo-secret')}, which \`sprocket serve\` on this data directory accepts\n`)
    }
    const token = await signConnectionToken({
      secret,
      sub: flags.user,
      ttlSeconds,
      info,
      ...(config.client.audience !== undefined ? { audience: config.client.audience } : {}),
      ...(config.client.issuer !== undefined ? { issuer: config.client.issuer } : {}),
    })
    process.stdout.write(`${token}\n`)
    return ExitStatus.ok
  },
}
