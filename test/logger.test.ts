import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { silentLogger, type Logger } from '../src/index.js'

test('a pino logger is a Logger, and so are its children', () => {
  const lines: Record<string, unknown>[] = []
  const logger: Logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
  const child: Logger = logger.child({ route: '/echo' })
  child.warn({ connId: 'c1' }, 'slow consumer: closing')
  assert.equal(lines.length, 1)
  assert.equal(lines[0]?.['route'], '/echo')
  assert.equal(lines[0]?.['connId'], 'c1')
  assert.equal(lines[0]?.['msg'], 'slow consumer: closing')
})

test('silentLogger takes every call and writes nothing', () => {
  const logger = silentLogger.child({ component: 'test' })
  for (const level of ['debug', 'info', 'warn', 'error'] as const) logger[level]({}, 'nothing')
  assert.equal(logger, silentLogger)
})
