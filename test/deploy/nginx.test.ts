/**
 * docs/deploy.md's nginx config, run as written in Debian's nginx (the page's values
 * substituted) through the shared deployment scenario (`proxy-scenario.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { redisSkip } from '../redis-server.js'
import { binarySkip, deployBlock, substitute } from './doc-blocks.js'
import { ProxyProcess } from './proxy-process.js'
import { runProxiedDeployment, type ProxySetup } from './proxy-scenario.js'

const NGINX = '/usr/sbin/nginx'
const skip = binarySkip(NGINX, 'nginx') || (await redisSkip())

/** The stand-in for Debian's /etc/nginx/nginx.conf: everything nginx writes stays in `dir`. */
function nginxConf(dir: string, site: string): string {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/temp/body;
    proxy_temp_path ${dir}/temp/proxy;
    fastcgi_temp_path ${dir}/temp/fastcgi;
    uwsgi_temp_path ${dir}/temp/uwsgi;
    scgi_temp_path ${dir}/temp/scgi;
    include ${site};
}
`
}

function nginx({ dir, port, nodePorts, sslDir }: ProxySetup): ProxyProcess {
  mkdirSync(join(dir, 'temp'))
  const site = join(dir, 'sprocket.conf')
  writeFileSync(site, substitute(deployBlock('nginx'), [
    ['listen 443 ssl', `listen ${port} ssl`],
    ['127.0.0.1:8080', `127.0.0.1:${nodePorts[0]}`],
    ['127.0.0.1:8081', `127.0.0.1:${nodePorts[1]}`],
    ['/etc/ssl/sprocket/', `${sslDir}/`],
  ]))
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConf(dir, site))
  return new ProxyProcess(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], port)
}

test('a centrifuge client through the documented nginx: wss, publications via the proxied API, recovery after an nginx restart, the real client address', { skip, timeout: 90_000 }, () =>
  runProxiedDeployment('nginx', nginx, { checksReadiness: false, reloadSignal: 'SIGHUP' }))
