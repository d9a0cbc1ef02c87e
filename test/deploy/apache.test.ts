/**
 * docs/deploy.md's Apache httpd config, run as written in Debian's apache2 (the page's values
 * substituted) through the shared deployment scenario (`proxy-scenario.ts`).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { redisSkip } from '../redis-server.js'
import { binarySkip, deployBlock, substitute } from './doc-blocks.js'
import { ProxyProcess } from './proxy-process.js'
import { runProxiedDeployment, type ProxySetup } from './proxy-scenario.js'

const APACHE = '/usr/sbin/apache2'
const MODULES = '/usr/lib/apache2/modules'
const skip = binarySkip(APACHE, 'apache2') || (await redisSkip())

/** What Debian's apache2.conf, ports.conf and `a2enmod` would provide; everything httpd writes stays in `dir`. */
function httpdConf(dir: string, port: number, site: string): string {
  const modules = ['mpm_event', 'authz_core', 'ssl', 'socache_shmcb', 'proxy', 'proxy_http', 'proxy_wstunnel',
    'proxy_balancer', 'slotmem_shm', 'lbmethod_byrequests', 'proxy_hcheck']
  return `${modules.map((name) => `LoadModule ${name}_module ${MODULES}/mod_${name}.so`).join('\n')}
ServerName localhost
ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${dir}/httpd.pid
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn
User www-data
Group www-data
Listen ${port}
Include ${site}
`
}

function apache({ dir, port, nodePorts, sslDir }: ProxySetup): ProxyProcess {
  const site = join(dir, 'sprocket.conf')
  writeFileSync(site, substitute(deployBlock('apache'), [
    ['<VirtualHost *:443>', `<VirtualHost *:${port}>`],
    ['http://127.0.0.1:8080', `http://127.0.0.1:${nodePorts[0]}`],
    ['http://127.0.0.1:8081', `http://127.0.0.1:${nodePorts[1]}`],
    ['/etc/ssl/sprocket/', `${sslDir}/`],
  ]))
  const conf = join(dir, 'httpd.conf')
  writeFileSync(conf, httpdConf(dir, port, site))
  return new ProxyProcess(APACHE, ['-X', '-d', dir, '-f', conf], port)
}

test('a centrifuge client through the documented Apache httpd: wss, publications via the proxied API, recovery after an httpd restart, the real client address', { skip, timeout: 90_000 }, () =>
  runProxiedDeployment('apache', apache, { checksReadiness: true }))
