/**
 * docs/deploy.md's systemd unit, run as systemd would run it without systemd: its ExecStart
 * (from source instead of the installed bin/sprocket.js), its Environment, WorkingDirectory and
 * LimitNOFILE (lowered to the machine's hard limit when that is below it), with the page's
 * native TLS config as /etc/sprocket/sprocket.json; then its ExecReload (SIGHUP).
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { maxConnectionsFor } from '../../src/server/open-file-limit.js'
import { repoRoot, ServeProcess } from '../cli/cli-process.js'
import { makeCa, makeLeaf } from '../certificates.js'
import { deployBlock, deployPage, substitute } from './doc-blocks.js'

/** `[Service]` settings, in order (Environment may repeat). */
function serviceSettings(unit: string): [string, string][] {
  const service = unit.split('[Service]\n')[1]?.split('\n[')[0] ?? ''
  return service.split('\n').filter((line) => line.includes('=')).map((line) => {
    const at = line.indexOf('=')
    return [line.slice(0, at), line.slice(at + 1)]
  })
}

test('the documented systemd unit: ExecStart with its Environment under LimitNOFILE, ExecReload reloads the certificate', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sprocket-systemd-'))
  const ca = makeCa(dir)
  makeLeaf(ca, 'fullchain')
  execFileSync('mv', [join(dir, 'fullchain-key.pem'), join(dir, 'privkey.pem')])
  const dataDir = join(dir, 'var-lib-sprocket')
  mkdirSync(dataDir)
  const unit = substitute(deployBlock('systemd'), [['/var/lib/sprocket', dataDir], ['/etc/sprocket/', `${dir}/`]])
  const settings = serviceSettings(unit)
  const setting = (key: string) => settings.find(([name]) => name === key)?.[1]

  const execStart = setting('ExecStart') ?? ''
  const prefix = `/usr/bin/node /opt/sprocket/bin/sprocket.js serve `
  assert.ok(execStart.startsWith(prefix), 'ExecStart runs the installed bin/sprocket.js serve')
  assert.ok(existsSync(join(repoRoot, 'bin', 'sprocket.js')))
  assert.equal(setting('ExecReload'), '/bin/kill -HUP $MAINPID')
  const env = Object.fromEntries(settings.filter(([key]) => key === 'Environment').map(([, value]) => value.split('=', 2) as [string, string]))
  const limitNofile = Number(setting('LimitNOFILE'))
  const stated = deployPage.match(/(\d+) allows (\d+) connections[\s\S]*?default \((\d+) soft\) would allow (\d+)/)
  assert.ok(stated !== null, 'the page states the ceilings')
  assert.deepEqual(stated.slice(1).map(Number), [limitNofile, maxConnectionsFor(limitNofile), 1024, maxConnectionsFor(1024)])
  const hardLimit = Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim())
  const limit = Number.isFinite(hardLimit) ? Math.min(limitNofile, hardLimit) : limitNofile

  writeFileSync(join(dir, 'sprocket.json'), substitute(deployBlock('sprocket-tls'), [['"port": 443', '"port": 0'], ['/etc/ssl/sprocket/', `${dir}/`]]))
  const args = execStart.slice(prefix.length).split(' ')
  const server = new ServeProcess([...args, '--engine', 'memory', '--host', '127.0.0.1'], { cwd: setting('WorkingDirectory') ?? dataDir, env, openFileLimit: limit })
  try {
    const serving = await server.waitForLog((line) => line.msg === 'serving')
    assert.equal(serving.maxConnections, maxConnectionsFor(limit), `the ceiling follows the open-file limit (${limit})`)
    assert.match(String(serving.url), /^https:/)
    assert.ok(existsSync(join(dataDir, 'demo-secret')), 'SPROCKET_DATA_DIR is the data directory (demo mode keeps its secret there)')
    server.child.kill('SIGHUP')
    await server.waitForLog((line) => line.msg === 'TLS certificate reloaded')
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
