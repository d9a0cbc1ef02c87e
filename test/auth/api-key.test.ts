import { test } from 'node:test'
import assert from 'node:assert/strict'
import { apiKeyMatches, presentedApiKey } from '../../src/auth/api-key.js'

test('apiKeyMatches accepts only the exact key', () => {
  assert.equal(apiKeyMatches('secret-key', 'secret-key'), true)
  assert.equal(apiKeyMatches('secret-kez', 'secret-key'), false)
  assert.equal(apiKeyMatches('secret-key-longer', 'secret-key'), false)
  assert.equal(apiKeyMatches('', 'secret-key'), false)
  assert.equal(apiKeyMatches(undefined, 'secret-key'), false)
  assert.equal(apiKeyMatches('', ''), false)
})

test('presentedApiKey reads X-API-Key, then Authorization: apikey, then ?api_key', () => {
  assert.equal(presentedApiKey({ 'x-api-key': 'a', authorization: 'apikey b' }, '/api/info?api_key=c'), 'a')
  assert.equal(presentedApiKey({ authorization: 'apikey b' }, '/api/info?api_key=c'), 'b')
  assert.equal(presentedApiKey({ authorization: 'APIKEY  b2' }, '/api/info'), 'b2')
  assert.equal(presentedApiKey({ authorization: 'Bearer x' }, '/api/info?api_key=c'), 'c')
  assert.equal(presentedApiKey({}, '/api/info'), undefined)
  assert.equal(presentedApiKey({ 'x-api-key': ['m', 'n'] }, '/api/info'), 'm')
})
