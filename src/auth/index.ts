/** Public entry point of `auth/`: token verification and signing, the `client` section, API keys. */
export type { ConnectionClaims, SubscriptionClaims, SubscriptionExpectation, TokenVerifier } from './types.js'
export { createTokenVerifier, JoseTokenVerifier, type TokenVerifierOptions } from './token-verifier.js'
export { clientAuthOptionsSchema, anonymousAllowed, hasTokenKey, type ClientAuthOptions } from './client-auth-options.js'
export { signConnectionToken, signSubscriptionToken, type SignConnectionTokenOptions, type SignSubscriptionTokenOptions } from './sign-token.js'
export { apiKeyMatches, presentedApiKey } from './api-key.js'
export { createClientAuth, type ClientAuth } from './client-auth.js'
