/**
 * The `client` config section (how client tokens are checked) and the demo-mode rules that follow from it.
 */
import { createPublicKey } from 'node:crypto'
import { z } from 'zod'

function isPublicKeyPem(pem: string): boolean {
  try {
    const key = createPublicKey(pem)
    return ['rsa', 'rsa-pss', 'ec', 'ed25519'].includes(key.asymmetricKeyType ?? '')
  } catch {
    return false
  }
}

/**
 * The `client` section of the config: how client connection and subscription tokens are checked.
 * With no key at all (no `tokenSecret`, `tokenPublicKey` or `jwksUrl`) the server runs in demo
 * mode: anonymous connections are allowed unless `allowAnonymous` says otherwise.
 */
export const clientAuthOptionsSchema = z
  .object({
    /** HMAC secret for HS256/384/512 tokens (env `SPROCKET_TOKEN_SECRET`). */
    tokenSecret: z.string().min(1, 'must not be empty').optional(),
    /** PEM public key (RSA, EC P-256/384/521 or Ed25519) or X.509 certificate for RS*, PS*, ES*, EdDSA tokens. */
    tokenPublicKey: z
      .string()
      .refine(isPublicKeyPem, 'must be a PEM public key or certificate (RSA, EC or Ed25519)')
      .optional(),
    /** JWKS endpoint for asymmetric tokens; keys are fetched on demand and cached. */
    jwksUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .optional(),
    /** When set, tokens must carry this `aud`. */
    audience: z.string().min(1).optional(),
    /** When set, tokens must carry this `iss`. */
    issuer: z.string().min(1).optional(),
    /** Accept connections without a token as anonymous users. Default: true only when no key is configured. */
    allowAnonymous: z.boolean().optional(),
  })
  .strict()

export type ClientAuthOptions = z.infer<typeof clientAuthOptionsSchema>

/** True when some key is configured, i.e. tokens can be verified. */
export function hasTokenKey(options: ClientAuthOptions): boolean {
  return Boolean(options.tokenSecret || options.tokenPublicKey || options.jwksUrl)
}

/** Resolves the `allowAnonymous` default: anonymous only in demo mode (no key configured). */
export function anonymousAllowed(options: ClientAuthOptions): boolean {
  return options.allowAnonymous ?? !hasTokenKey(options)
}
