/**
 * Verifies client JWTs (HMAC secret, public key or JWKS) with jose, mapping its failures onto coded errors.
 */
import { createPublicKey, type KeyObject } from 'node:crypto'
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type FlattenedJWSInput,
  type KeyInput,
} from 'jose'
import { ErrorReason, PeerError } from '../errors.js'
import { toConnectionClaims, toSubscriptionClaims } from './claims.js'
import type { ConnectionClaims, SubscriptionClaims, SubscriptionExpectation, TokenVerifier } from './types.js'

export type TokenVerifierOptions = {
  /** HMAC secret: allows HS256, HS384, HS512. */
  tokenSecret?: string | undefined
  /** PEM public key or certificate: RSA allows RS256-512 and PS256-512, RSA-PSS the PS family, EC the ES family, Ed25519 EdDSA. */
  tokenPublicKey?: string | undefined
  /** JWKS endpoint: allows the asymmetric algorithms only (never HMAC, so a public key can't be used as a secret). */
  jwksUrl?: string | undefined
  audience?: string | undefined
  issuer?: string | undefined
  /** Leeway for `exp`/`nbf`, in seconds. Default 0. */
  clockToleranceSeconds?: number | undefined
  /** How long fetched JWKS keys are trusted before a refetch. Default 10 minutes. */
  jwksCacheMaxAgeMs?: number | undefined
  /** Give up on a JWKS fetch after this long. Default 5 s. */
  jwksTimeoutMs?: number | undefined
}

const HMAC_ALGS = ['HS256', 'HS384', 'HS512']
const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
const RSA_PSS_ALGS = ['PS256', 'PS384', 'PS512']
const EC_ALGS = ['ES256', 'ES384', 'ES512']
const ED_ALGS = ['EdDSA', 'Ed25519']
const ASYMMETRIC_ALGS = [...RSA_ALGS, ...EC_ALGS, ...ED_ALGS]

type KeyResolver = (header: JWTHeaderParameters, token: FlattenedJWSInput) => Promise<KeyInput>

function algorithmsForPublicKey(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return RSA_ALGS
    case 'rsa-pss':
      return RSA_PSS_ALGS
    case 'ec':
      return EC_ALGS
    case 'ed25519':
      return ED_ALGS
    default:
      throw new Error(`tokenPublicKey: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`)
  }
}

/** Maps jose's failures onto neutral refusals; anything unknown is rethrown as our bug. */
function toPeerError(error: unknown): Error {
  if (error instanceof PeerError) return error
  if (error instanceof joseErrors.JWTExpired) return new PeerError(ErrorReason.tokenExpired, 'token expired')
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new PeerError(ErrorReason.tokenExpired, 'token not yet valid')
    return new PeerError(ErrorReason.unauthorized, `invalid token claim ${error.claim}`)
  }
  if (error instanceof joseErrors.JWKSTimeout) return new PeerError(ErrorReason.internal, 'JWKS endpoint timed out')
  if (error instanceof joseErrors.JOSEError) return new PeerError(ErrorReason.unauthorized, 'invalid token')
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) {
    // fetch() of the JWKS failed: the key source is down, not the client's fault.
    return new PeerError(ErrorReason.internal, 'JWKS endpoint unavailable')
  }
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * `TokenVerifier` on top of jose. Each token's header `alg` selects the key: HMAC algorithms
 * only ever meet `tokenSecret`, asymmetric ones the PEM key (if its type fits) and then the JWKS.
 * `none` and any algorithm without a matching key are refused.
 */
export class JoseTokenVerifier implements TokenVerifier {
  readonly #resolveKey: KeyResolver
  readonly #algorithms: string[]
  readonly #audience: string | undefined
  readonly #issuer: string | undefined
  readonly #clockToleranceSeconds: number

  constructor(options: TokenVerifierOptions) {
    const secret = options.tokenSecret ? new TextEncoder().encode(options.tokenSecret) : undefined
    const publicKey = options.tokenPublicKey ? createPublicKey(options.tokenPublicKey) : undefined
    const publicKeyAlgs = publicKey ? algorithmsForPublicKey(publicKey) : []
    const jwks = options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), {
          cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
          timeoutDuration: options.jwksTimeoutMs ?? 5_000,
        })
      : undefined

    this.#algorithms = [
      ...(secret ? HMAC_ALGS : []),
      ...new Set([...publicKeyAlgs, ...(jwks ? ASYMMETRIC_ALGS : [])]),
    ]
    this.#audience = options.audience
    this.#issuer = options.issuer
    this.#clockToleranceSeconds = options.clockToleranceSeconds ?? 0
    this.#resolveKey = async (header, token) => {
      const alg = header.alg ?? ''
      if (HMAC_ALGS.includes(alg)) {
        if (secret) return secret
      } else if (publicKey && publicKeyAlgs.includes(alg)) {
        return publicKey
      } else if (jwks && ASYMMETRIC_ALGS.includes(alg)) {
        return jwks(header, token)
      }
      throw new PeerError(ErrorReason.unauthorized, `token algorithm ${alg || 'missing'} not accepted`)
    }
  }

  async verifyConnectionToken(token: string): Promise<ConnectionClaims> {
    return toConnectionClaims(await this.#verify(token))
  }

  async verifySubscriptionToken(token: string, expect: SubscriptionExpectation): Promise<SubscriptionClaims> {
    return toSubscriptionClaims(await this.#verify(token), expect)
  }

  async #verify(token: string): Promise<JWTPayload> {
    if (this.#algorithms.length === 0) {
      throw new PeerError(ErrorReason.unauthorized, 'no token key configured')
    }
    try {
      const { payload } = await jwtVerify(token, this.#resolveKey, {
        algorithms: this.#algorithms,
        audience: this.#audience,
        issuer: this.#issuer,
        clockTolerance: this.#clockToleranceSeconds,
      })
      return payload
    } catch (error) {
      throw toPeerError(error)
    }
  }
}

/**
 * Builds the verifier for the `client` config section. Throws (at startup, not per token) when
 * `tokenPublicKey` is not a usable public key.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return new JoseTokenVerifier(options)
}
