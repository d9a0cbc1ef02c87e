import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { generateKeyPairSync } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, base64url } from 'jose'
import { createTokenVerifier } from '../../src/auth/token-verifier.js'
import { signConnectionToken, signSubscriptionToken } from '../../src/auth/sign-token.js'
import { DisconnectReason, ErrorReason, PeerError, type ErrorReason as Reason } from '../../src/errors.js'

const SECRET = 'test-secret-that-is-long-enough-0123456789'
const now = () => Math.floor(Date.now() / 1000)

async function rejectsWith(promise: Promise<unknown>, reason: Reason, disconnect?: DisconnectReason): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PeerError, `expected PeerError, got ${String(error)}`)
    assert.equal(error.reason, reason)
    assert.equal(error.disconnect, disconnect)
    return true
  })
}

function hs(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret))
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const rsaPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()

describe('HMAC tokens', () => {
  const verifier = createTokenVerifier({ tokenSecret: SECRET })

  test('a valid HS256 connection token yields its claims', async () => {
    const exp = now() + 60
    const token = await hs({ sub: '42', exp, info: { name: 'Ann' }, channels: ['news'], meta: { plan: 'pro' } })
    const claims = await verifier.verifyConnectionToken(token)
    assert.deepEqual(claims, { sub: '42', exp, info: { name: 'Ann' }, channels: ['news'], meta: { plan: 'pro' } })
  })

  test('HS384 and HS512 are accepted too', async () => {
    assert.equal((await verifier.verifyConnectionToken(await hs({ sub: 'a' }, SECRET, 'HS384'))).sub, 'a')
    assert.equal((await verifier.verifyConnectionToken(await hs({ sub: 'b' }, SECRET, 'HS512'))).sub, 'b')
  })

  test('missing sub means the anonymous user', async () => {
    assert.equal((await verifier.verifyConnectionToken(await hs({}))).sub, '')
  })

  test('subs and expire_at are passed through', async () => {
    const claims = await verifier.verifyConnectionToken(await hs({ sub: '1', subs: { 'chat:a': { data: { x: 1 } } }, expire_at: 0 }))
    assert.deepEqual(claims.subs, { 'chat:a': { data: { x: 1 } } })
    assert.equal(claims.expireAt, 0)
  })

  test('wrong secret is unauthorized', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '42' }, 'another-secret')), ErrorReason.unauthorized)
  })

  test('expired token is tokenExpired', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '42', exp: now() - 10 })), ErrorReason.tokenExpired)
  })

  test('a token not valid yet (nbf) is tokenExpired', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '42', nbf: now() + 600 })), ErrorReason.tokenExpired)
  })

  test('an unsigned token (alg none) is unauthorized', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))
    const body = base64url.encode(JSON.stringify({ sub: '42' }))
    await rejectsWith(verifier.verifyConnectionToken(`${header}.${body}.`), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(`${header}.${body}`), ErrorReason.unauthorized)
  })

  test('garbage is unauthorized', async () => {
    await rejectsWith(verifier.verifyConnectionToken('not-a-jwt'), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(''), ErrorReason.unauthorized)
  })

  test('an RS256 token is refused when only a secret is configured', async () => {
    const token = await new SignJWT({ sub: '42' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey)
    await rejectsWith(verifier.verifyConnectionToken(token), ErrorReason.unauthorized)
  })

  test('claims of the wrong type are unauthorized', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: 42 })), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1', channels: 'news' })), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1', subs: { a: 5 } })), ErrorReason.unauthorized)
  })

  test('a connection token carrying channel is refused', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1', channel: 'news' })), ErrorReason.unauthorized)
  })

  test('signConnectionToken output verifies, with info and exp', async () => {
    const token = await signConnectionToken({ secret: SECRET, sub: '7', ttlSeconds: 120, info: { name: 'Bo' } })
    const claims = await verifier.verifyConnectionToken(token)
    assert.equal(claims.sub, '7')
    assert.deepEqual(claims.info, { name: 'Bo' })
    assert.ok(claims.exp !== undefined && claims.exp > now() + 100 && claims.exp <= now() + 120)
  })
})

describe('subscription tokens', () => {
  const verifier = createTokenVerifier({ tokenSecret: SECRET })

  test('a matching token yields its claims', async () => {
    const token = await signSubscriptionToken({ secret: SECRET, sub: '42', channel: 'chat:room', info: { role: 'mod' }, data: { hi: 1 } })
    const claims = await verifier.verifySubscriptionToken(token, { channel: 'chat:room', client: 'c1', user: '42' })
    assert.equal(claims.sub, '42')
    assert.equal(claims.channel, 'chat:room')
    assert.deepEqual(claims.info, { role: 'mod' })
    assert.deepEqual(claims.data, { hi: 1 })
  })

  test('channel mismatch is unauthorized with close 3500', async () => {
    const token = await signSubscriptionToken({ secret: SECRET, sub: '42', channel: 'chat:a' })
    await rejectsWith(verifier.verifySubscriptionToken(token, { channel: 'chat:b' }), ErrorReason.unauthorized, DisconnectReason.invalidToken)
  })

  test('a bad signature is unauthorized without a close code', async () => {
    const token = await signSubscriptionToken({ secret: 'another-secret-of-enough-length', sub: '42', channel: 'chat:a' })
    await rejectsWith(verifier.verifySubscriptionToken(token, { channel: 'chat:a' }), ErrorReason.unauthorized)
  })

  test('a token without channel (a connection token) is unauthorized without a close code', async () => {
    const token = await signConnectionToken({ secret: SECRET, sub: '42' })
    await rejectsWith(verifier.verifySubscriptionToken(token, { channel: 'chat:a' }), ErrorReason.unauthorized)
  })

  test('client mismatch is unauthorized with close 3500; no client claim matches any client', async () => {
    const bound = await signSubscriptionToken({ secret: SECRET, sub: '42', channel: 'c', client: 'c1' })
    await rejectsWith(verifier.verifySubscriptionToken(bound, { channel: 'c', client: 'c2' }), ErrorReason.unauthorized, DisconnectReason.invalidToken)
    assert.equal((await verifier.verifySubscriptionToken(bound, { channel: 'c', client: 'c1' })).channel, 'c')
    const free = await signSubscriptionToken({ secret: SECRET, sub: '42', channel: 'c' })
    assert.equal((await verifier.verifySubscriptionToken(free, { channel: 'c', client: 'c9' })).channel, 'c')
  })

  test('user mismatch is unauthorized with close 3500 when the user is given', async () => {
    const token = await signSubscriptionToken({ secret: SECRET, sub: '42', channel: 'c' })
    await rejectsWith(verifier.verifySubscriptionToken(token, { channel: 'c', user: '43' }), ErrorReason.unauthorized, DisconnectReason.invalidToken)
  })

  test('expired subscription token is tokenExpired', async () => {
    const token = await hs({ sub: '42', channel: 'c', exp: now() - 5 })
    await rejectsWith(verifier.verifySubscriptionToken(token, { channel: 'c' }), ErrorReason.tokenExpired)
  })
})

describe('public keys', () => {
  test('RS256 with a PEM public key', async () => {
    const verifier = createTokenVerifier({ tokenPublicKey: rsaPem })
    const token = await new SignJWT({ sub: 'r' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey)
    assert.equal((await verifier.verifyConnectionToken(token)).sub, 'r')
  })

  test('ES256 with a PEM public key', async () => {
    const verifier = createTokenVerifier({ tokenPublicKey: ecPem })
    const token = await new SignJWT({ sub: 'e' }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey)
    assert.equal((await verifier.verifyConnectionToken(token)).sub, 'e')
  })

  test('a token signed by another key pair is unauthorized', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const verifier = createTokenVerifier({ tokenPublicKey: ecPem })
    const token = await new SignJWT({ sub: 'e' }).setProtectedHeader({ alg: 'ES256' }).sign(other.privateKey)
    await rejectsWith(verifier.verifyConnectionToken(token), ErrorReason.unauthorized)
  })

  test('alg confusion: HS256 signed with the public key PEM as secret is refused', async () => {
    const token = await hs({ sub: 'evil' }, rsaPem)
    await rejectsWith(createTokenVerifier({ tokenPublicKey: rsaPem }).verifyConnectionToken(token), ErrorReason.unauthorized)
    // Even with a secret configured too, HMAC tokens meet only the secret.
    await rejectsWith(createTokenVerifier({ tokenPublicKey: rsaPem, tokenSecret: SECRET }).verifyConnectionToken(token), ErrorReason.unauthorized)
  })

  test('an ES256 header against an RSA key is refused', async () => {
    const token = await new SignJWT({ sub: 'e' }).setProtectedHeader({ alg: 'ES256' }).sign(ec.privateKey)
    await rejectsWith(createTokenVerifier({ tokenPublicKey: rsaPem }).verifyConnectionToken(token), ErrorReason.unauthorized)
  })

  test('secret and public key side by side: each token meets its own key', async () => {
    const verifier = createTokenVerifier({ tokenPublicKey: rsaPem, tokenSecret: SECRET })
    assert.equal((await verifier.verifyConnectionToken(await hs({ sub: 'h' }))).sub, 'h')
    const token = await new SignJWT({ sub: 'r' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey)
    assert.equal((await verifier.verifyConnectionToken(token)).sub, 'r')
  })

  test('a bad PEM fails at construction, not per token', () => {
    assert.throws(() => createTokenVerifier({ tokenPublicKey: 'not a key' }))
  })
})

describe('audience and issuer', () => {
  const verifier = createTokenVerifier({ tokenSecret: SECRET, audience: 'sprocket', issuer: 'https://site.example' })

  test('matching aud and iss pass', async () => {
    const token = await signConnectionToken({ secret: SECRET, sub: '1', audience: 'sprocket', issuer: 'https://site.example' })
    assert.equal((await verifier.verifyConnectionToken(token)).sub, '1')
  })

  test('wrong or missing aud/iss are unauthorized', async () => {
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1', aud: 'other', iss: 'https://site.example' })), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1', aud: 'sprocket', iss: 'https://evil.example' })), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: '1' })), ErrorReason.unauthorized)
  })
})

describe('no key configured', () => {
  test('every token is unauthorized', async () => {
    await rejectsWith(createTokenVerifier({}).verifyConnectionToken(await hs({ sub: '1' })), ErrorReason.unauthorized)
  })
})

describe('JWKS', () => {
  let server: Server
  let url: string
  let fetches = 0
  const jwksKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })

  before(async () => {
    const jwk = { ...(await exportJWK(jwksKey.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    server = createServer((req, res) => {
      fetches++
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  test('a token signed by a JWKS key verifies, and the set is cached', async () => {
    const verifier = createTokenVerifier({ jwksUrl: url })
    const sign = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(jwksKey.privateKey)
    const before = fetches
    assert.equal((await verifier.verifyConnectionToken(await sign('j1'))).sub, 'j1')
    assert.equal((await verifier.verifyConnectionToken(await sign('j2'))).sub, 'j2')
    assert.equal(fetches - before, 1)
  })

  test('unknown kid and foreign key are unauthorized; HS256 never consults the JWKS', async () => {
    const verifier = createTokenVerifier({ jwksUrl: url })
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const foreign = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(other.privateKey)
    await rejectsWith(verifier.verifyConnectionToken(foreign), ErrorReason.unauthorized)
    const unknownKid = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'nope' }).sign(jwksKey.privateKey)
    await rejectsWith(verifier.verifyConnectionToken(unknownKid), ErrorReason.unauthorized)
    await rejectsWith(verifier.verifyConnectionToken(await hs({ sub: 'x' })), ErrorReason.unauthorized)
  })

  test('an unreachable JWKS endpoint is a temporary internal error', async () => {
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const port = (dead.address() as AddressInfo).port
    await new Promise((resolve) => dead.close(resolve))
    const verifier = createTokenVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks` })
    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(jwksKey.privateKey)
    await rejectsWith(verifier.verifyConnectionToken(token), ErrorReason.internal)
  })
})
