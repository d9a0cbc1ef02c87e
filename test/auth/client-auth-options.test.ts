import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { anonymousAllowed, clientAuthOptionsSchema, hasTokenKey } from '../../src/auth/client-auth-options.js'
import { createClientAuth } from '../../src/auth/client-auth.js'
import { loadConfig } from '../../src/config/index.js'

const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()

test('anonymous connections are allowed by default only in demo mode (no key)', () => {
  assert.equal(anonymousAllowed({}), true)
  assert.equal(anonymousAllowed({ tokenSecret: 's' }), false)
  assert.equal(anonymousAllowed({ tokenPublicKey: ecPem }), false)
  assert.equal(anonymousAllowed({ jwksUrl: 'https://id.example.com/jwks' }), false)
  assert.equal(anonymousAllowed({ tokenSecret: 's', allowAnonymous: true }), true)
  assert.equal(anonymousAllowed({ allowAnonymous: false }), false)
  assert.equal(hasTokenKey({}), false)
})

test('the schema refuses bad keys, URLs and unknown fields with their path', () => {
  const cases: Array<[unknown, string]> = [
    [{ tokenSecret: '' }, 'tokenSecret'],
    [{ tokenPublicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }, 'tokenPublicKey'],
    [{ jwksUrl: 'ftp://id.example.com/jwks' }, 'jwksUrl'],
    [{ jwksUrl: 'not a url' }, 'jwksUrl'],
    [{ allowAnonymous: 'yes' }, 'allowAnonymous'],
    [{ tokenSecrets: 'typo' }, ''],
  ]
  for (const [input, path] of cases) {
    const result = clientAuthOptionsSchema.safeParse(input)
    assert.equal(result.success, false, JSON.stringify(input))
    assert.equal(result.error?.issues[0]?.path.join('.'), path, JSON.stringify(input))
  }
  assert.equal(clientAuthOptionsSchema.safeParse({ tokenPublicKey: ecPem, audience: 'a', issuer: 'i' }).success, true)
})

test('the config reads client.tokenSecret and api.key from the environment', () => {
  const config = loadConfig({ env: { SPROCKET_TOKEN_SECRET: 'env-secret', SPROCKET_API_KEY: 'env-key' } })
  assert.equal(config.client.tokenSecret, 'env-secret')
  assert.equal(config.api.key, 'env-key')
  assert.equal(config.api.maxBodyBytes, 1024 * 1024)
  const defaults = loadConfig({ env: {} })
  assert.deepEqual(defaults.client, {})
  assert.equal(defaults.api.key, undefined)
})

test('createClientAuth: a verifier only when a key is configured', () => {
  const demo = createClientAuth({})
  assert.equal(demo.verifier, undefined)
  assert.equal(demo.allowAnonymous, true)
  assert.equal(demo.demoMode, true)
  const keyed = createClientAuth({ tokenSecret: 'secret' })
  assert.ok(keyed.verifier)
  assert.equal(keyed.allowAnonymous, false)
  assert.equal(keyed.demoMode, false)
})
