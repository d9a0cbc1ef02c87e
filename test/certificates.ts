/**
 * Test certificates made with `openssl`: a self-signed CA and leaf certificates it signs for
 * `localhost` and 127.0.0.1, as an operator's private CA would issue them.
 */
import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type TestCa = { readonly dir: string; readonly certPath: string; readonly keyPath: string; readonly pem: string }
export type Leaf = { readonly certPath: string; readonly keyPath: string; readonly fingerprint256: string }

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A CA (EC P-256, one day) in `dir`. */
export function makeCa(dir: string): TestCa {
  const certPath = join(dir, 'ca.pem')
  const keyPath = join(dir, 'ca-key.pem')
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=Sprocket test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  return { dir, certPath, keyPath, pem: readFileSync(certPath, 'utf8') }
}

/** A server certificate for localhost/127.0.0.1 signed by `ca`, written as `<name>.pem` and `<name>-key.pem`. */
export function makeLeaf(ca: TestCa, name: string): Leaf {
  const certPath = join(ca.dir, `${name}.pem`)
  const keyPath = join(ca.dir, `${name}-key.pem`)
  const csrPath = join(ca.dir, `${name}.csr`)
  const extPath = join(ca.dir, `${name}.ext`)
  writeFileSync(extPath, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
  openssl(ca.dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', csrPath, '-subj', `/CN=localhost ${name}`])
  openssl(ca.dir, ['x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-CAcreateserial',
    '-out', certPath, '-days', '1', '-extfile', extPath])
  return { certPath, keyPath, fingerprint256: new X509Certificate(readFileSync(certPath)).fingerprint256 }
}
