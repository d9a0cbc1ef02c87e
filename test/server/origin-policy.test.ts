import assert from 'node:assert/strict'
import { test } from 'node:test'
import { OriginPolicy } from '../../src/server/origin-policy.js'

test('no Origin header (non-browser client) is always allowed', () => {
  assert.equal(new OriginPolicy().allows(undefined, 'a.test'), true)
  assert.equal(new OriginPolicy(['https://x.test']).allows(undefined, 'a.test'), true)
})

test('default: the Origin host must be the Host header, default ports normalised', () => {
  const policy = new OriginPolicy()
  assert.equal(policy.allows('http://chat.test:8080', 'chat.test:8080'), true)
  assert.equal(policy.allows('https://chat.test', 'chat.test:443'), true)
  assert.equal(policy.allows('HTTPS://Chat.Test', 'chat.test'), true)
  assert.equal(policy.allows('http://chat.test:8081', 'chat.test:8080'), false)
  assert.equal(policy.allows('http://evil.test', 'chat.test'), false)
  assert.equal(policy.allows('null', 'chat.test'), false)
  assert.equal(policy.allows('http://chat.test', undefined), false)
})

test('exact origins compare scheme, host and port', () => {
  const policy = new OriginPolicy(['https://app.example.com', 'http://localhost:3000'])
  assert.equal(policy.allows('https://app.example.com', 'x'), true)
  assert.equal(policy.allows('https://app.example.com:443', 'x'), true)
  assert.equal(policy.allows('http://app.example.com', 'x'), false)
  assert.equal(policy.allows('http://localhost:3000', 'x'), true)
  assert.equal(policy.allows('http://localhost:3001', 'x'), false)
})

test('a bare host allows it on any scheme and port-less form only', () => {
  const policy = new OriginPolicy(['app.example.com'])
  assert.equal(policy.allows('http://app.example.com', 'x'), true)
  assert.equal(policy.allows('https://app.example.com', 'x'), true)
  assert.equal(policy.allows('https://other.example.com', 'x'), false)
})

test('wildcards allow subdomains only, optionally for one scheme', () => {
  const any = new OriginPolicy(['*.example.com'])
  assert.equal(any.allows('https://a.example.com', 'x'), true)
  assert.equal(any.allows('http://a.b.example.com:9000', 'x'), true)
  assert.equal(any.allows('https://example.com', 'x'), false)
  assert.equal(any.allows('https://notexample.com', 'x'), false)
  assert.equal(any.allows('https://example.com.evil.test', 'x'), false)
  const httpsOnly = new OriginPolicy(['https://*.example.com'])
  assert.equal(httpsOnly.allows('https://a.example.com', 'x'), true)
  assert.equal(httpsOnly.allows('http://a.example.com', 'x'), false)
})

test("'*' allows everything, even null", () => {
  const policy = new OriginPolicy(['*'])
  assert.equal(policy.allows('https://anything.test', 'x'), true)
  assert.equal(policy.allows('null', 'x'), true)
})

test('an empty list refuses every browser origin', () => {
  assert.equal(new OriginPolicy([]).allows('http://chat.test', 'chat.test'), false)
})
