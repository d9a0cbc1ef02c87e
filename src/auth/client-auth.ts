/**
 * Builds, from the `client` section, the token verifier and anonymous-access rule a protocol component needs.
 */
import { anonymousAllowed, hasTokenKey, type ClientAuthOptions } from './client-auth-options.js'
import { createTokenVerifier } from './token-verifier.js'
import type { TokenVerifier } from './types.js'

/** What the native protocol needs from the `client` config section. */
export type ClientAuth = {
  /** Undefined when no key is configured: every token is then refused. */
  verifier: TokenVerifier | undefined
  /** Whether connections without a token are accepted (as anonymous users). */
  allowAnonymous: boolean
  /** No key configured: anyone may connect anonymously. */
  demoMode: boolean
}

/**
 * Resolves the `client` config section for the composition root:
 * `mountCentrifuge(app, { hub, auth: clientAuth.verifier, options: { allowAnonymous: clientAuth.allowAnonymous } })`.
 */
export function createClientAuth(options: ClientAuthOptions): ClientAuth {
  const keyed = hasTokenKey(options)
  return {
    verifier: keyed ? createTokenVerifier(options) : undefined,
    allowAnonymous: anonymousAllowed(options),
    demoMode: !keyed,
  }
}
