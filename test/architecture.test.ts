/**
 * The layer table of ARCHITECTURE.md ("Layers and their folders"), enforced: every import of every
 * `.ts` file under `src/` (static, side-effect, dynamic `import()`, `export … from`) is mapped from
 * its file's layer to its target's layer and checked against `layers` below, plus the rules the
 * table's prose states (the hub and engines know no protocol, only `ws-transport.ts` imports `ws`,
 * `protocol/` does no I/O, examples use the public API only, components do not reach into each
 * other). A failure names the file, the line, the import and the rule it breaks.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('../', import.meta.url))
const srcDir = join(root, 'src')

/**
 * The shared leaves: neutral error reasons, the `Logger` interface, the token bucket every rate
 * limit uses, and tokens / signatures / API keys.
 */
const leaves = ['errors.ts', 'logger.ts', 'token-bucket.ts', 'auth'] as const

/**
 * What each layer of `src/` may import besides itself: a top-level folder, or a top-level file
 * (`errors.ts`, `index.ts`). Mirrors ARCHITECTURE.md's table row for row.
 */
const layers: Readonly<Record<string, readonly string[]>> = {
  // Leaves import nothing of ours but each other: token checks fail with the neutral error reasons.
  'errors.ts': [],
  'logger.ts': [],
  'token-bucket.ts': [],
  auth: ['errors.ts', 'logger.ts'],
  protocol: [...leaves],
  engine: [...leaves],
  hub: ['engine', ...leaves],
  server: [...leaves],
  components: ['server', 'hub', 'protocol', ...leaves],
  // `server/`: its types (`HttpHandler`, `HttpMountable`), the body reader and `sendJson`.
  http: ['server', 'hub', 'protocol', ...leaves],
  // Part of the composition root: each feature's option schema (see `configImportsOptionSchemasOnly`).
  config: ['engine', 'hub', 'server', 'components', 'http', ...leaves],
  cli: ['config', 'engine', 'hub', 'server', 'components', 'http', 'protocol', 'index.ts', ...leaves],
  // The package's public API: what an application builds on.
  'index.ts': ['server', 'components', 'http', 'hub', 'engine', 'protocol', ...leaves],
}

/** The files an example may import from `src/`: the package's public entry points. */
const publicEntries = new Set(['index.ts', 'hub/index.ts', 'engine/index.ts', 'auth/index.ts', 'components/centrifuge/index.ts'])

/**
 * Imports from one component folder into another, each allowed for a stated reason. Anything
 * else crossing between `src/components/<a>/` and `src/components/<b>/` fails.
 */
const allowedCrossComponent: Readonly<Record<string, string>> = {
  // The chat is an application on the native protocol: its `chat.*` methods are registered on the
  // centrifuge component's RPC registry, so it needs the registry's types.
  'components/chat -> components/centrifuge/rpc-registry.ts': 'the chat registers its RPC methods on the native protocol',
}

/** Node built-ins that do I/O: `protocol/` may import none of them. */
const ioModules = ['net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'fs', 'fs/promises', 'child_process', 'worker_threads', 'cluster']

type Import = {
  /** The importing file, relative to the repository root. */
  from: string
  line: number
  specifier: string
  /** The target file relative to `src/` (relative imports only). */
  target?: string
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(dir, file))
    .sort()
}

/** Every import of `file`, found by the TypeScript scanner (comments and strings are not imports). */
function importsOf(file: string): Import[] {
  const source = readFileSync(file, 'utf8')
  return ts.preProcessFile(source, true, true).importedFiles.map(({ fileName, pos }) => {
    const line = source.slice(0, pos).split('\n').length
    const found: Import = { from: relative(root, file).split(sep).join('/'), line, specifier: fileName }
    if (fileName.startsWith('.')) {
      found.target = relative(srcDir, resolve(dirname(file), fileName.replace(/\.js$/, '.ts'))).split(sep).join('/')
    }
    return found
  })
}

/** The layer of a path relative to `src/`: its top folder, or the file itself at the top. */
function layerOf(pathInSrc: string): string {
  return pathInSrc.split('/')[0] ?? ''
}

function describeImport(found: Import): string {
  return `${found.from}:${found.line} imports '${found.specifier}'`
}

function assertNone(violations: string[], rule: string): void {
  assert.deepEqual(violations, [], `${violations.length} import(s) break the rule "${rule}":\n  ${violations.join('\n  ')}`)
}

const srcImports = tsFiles(srcDir).flatMap(importsOf)
const inSrc = (found: Import): string => found.from.slice('src/'.length)

test('every entry of src/ has a row in the layer table', () => {
  const entries = readdirSync(srcDir).filter((entry) => !entry.startsWith('.'))
  assert.deepEqual(entries.filter((entry) => !(entry in layers)), [], 'add the new folder or file to `layers` (and to ARCHITECTURE.md)')
})

test('imports point down the layer table only (ARCHITECTURE.md, "Layers and their folders")', () => {
  const violations: string[] = []
  for (const found of srcImports) {
    if (found.target === undefined) continue
    if (found.target.startsWith('../')) {
      violations.push(`${describeImport(found)}: src/ imports nothing outside src/`)
      continue
    }
    const source = layerOf(inSrc(found))
    const target = layerOf(found.target)
    const mayImport = layers[source] ?? []
    if (target !== source && !mayImport.includes(target)) {
      const allowed = mayImport.length === 0 ? 'nothing of ours' : mayImport.join(', ')
      violations.push(`${describeImport(found)} (layer ${target}): ${source} may import ${allowed}`)
    }
  }
  assertNone(violations, 'imports point downward only')
})

test('the hub and the engines know no protocol', () => {
  const violations = srcImports
    .filter((found) => ['hub', 'engine'].includes(layerOf(inSrc(found))))
    .filter((found) => (found.target !== undefined && layerOf(found.target) === 'protocol') || /^(centrifuge|pusher|pusher-js)(\/|$)/.test(found.specifier))
    .map((found) => `${describeImport(found)}: hub/ and engine/ import no protocol`)
  assertNone(violations, 'the hub and engines know no protocol')
})

test('engine/ never imports server/ (an engine never sees a socket)', () => {
  const violations = srcImports
    .filter((found) => layerOf(inSrc(found)) === 'engine' && found.target !== undefined && layerOf(found.target) === 'server')
    .map((found) => `${describeImport(found)}: engine/ never imports server/`)
  assertNone(violations, 'engine never sees a socket')
})

test('only src/server/ws-transport.ts imports the ws package', () => {
  const violations = srcImports
    .filter((found) => /^ws(\/|$)/.test(found.specifier) && found.from !== 'src/server/ws-transport.ts')
    .map((found) => `${describeImport(found)}: only src/server/ws-transport.ts imports ws`)
  assertNone(violations, 'the transport seam')
})

test('protocol/ does no I/O', () => {
  const violations = srcImports
    .filter((found) => layerOf(inSrc(found)) === 'protocol')
    .filter((found) => ioModules.includes(found.specifier.replace(/^node:/, '')))
    .map((found) => `${describeImport(found)}: protocol/ is pure (no ${ioModules.map((name) => `node:${name}`).join(', ')})`)
  assertNone(violations, 'protocol/ does no I/O')
})

test('config/ composes option schemas only: from other layers it imports options.ts / *-options.ts / *-schema.ts files', () => {
  const violations = srcImports
    .filter((found) => layerOf(inSrc(found)) === 'config' && found.target !== undefined && layerOf(found.target) !== 'config')
    .filter((found) => !/(^|\/|-)(options|schema)\.ts$/.test(found.target ?? ''))
    .map((found) => `${describeImport(found)}: config/ imports only other layers' option schemas`)
  assertNone(violations, 'config composes feature schemas')
})

test('a component does not import another component (one allowed exception, with its reason)', () => {
  const componentOf = (path: string): string => path.split('/').slice(0, 2).join('/').replace(/\.ts$/, '')
  const violations = srcImports
    .filter((found) => layerOf(inSrc(found)) === 'components' && found.target !== undefined && layerOf(found.target) === 'components')
    .filter((found) => componentOf(inSrc(found)) !== componentOf(found.target ?? ''))
    .filter((found) => !(`${componentOf(inSrc(found))} -> ${found.target}` in allowedCrossComponent))
    .map((found) => `${describeImport(found)}: src/components/<a>/ does not import src/components/<b>/`)
  assertNone(violations, 'components are independent')
})

/**
 * Each protocol's wire code stays in its own `protocol/<name>/` folder, and each protocol's
 * component and HTTP API use their own protocol only: the native protocol never sees Pusher's
 * codes and the Pusher protocol never sees Centrifugo's.
 */
const protocolOwners: Readonly<Record<string, string>> = {
  'components/centrifuge': 'centrifuge',
  'http/centrifuge-api': 'centrifuge',
  'components/pusher': 'pusher',
  'http/pusher-api': 'pusher',
}

test("a protocol's folder, component and HTTP API import no other protocol", () => {
  // Files directly in `protocol/` (json-depth.ts) belong to no protocol: every protocol may use them.
  const protocolOf = (path: string): string | undefined => {
    const parts = path.split('/')
    return parts[0] === 'protocol' && parts.length > 2 ? parts[1] : undefined
  }
  const violations = srcImports
    .filter((found) => found.target !== undefined && protocolOf(found.target) !== undefined)
    .filter((found) => {
      const from = inSrc(found)
      const target = protocolOf(found.target ?? '')
      const own = protocolOf(from) ?? protocolOwners[from.split('/').slice(0, 2).join('/')]
      return own !== undefined && own !== target
    })
    .map((found) => `${describeImport(found)}: protocol/<a>/, components/<a>/ and http/<a>-api/ import only protocol/<a>/`)
  assertNone(violations, 'protocols stay apart')
})

test('examples/ use the public API only', () => {
  const exampleImports = tsFiles(join(root, 'examples')).flatMap(importsOf)
  assert.ok(exampleImports.length > 0)
  const violations = exampleImports
    .filter((found) => found.target !== undefined && found.target.startsWith('../') === false)
    .filter((found) => !publicEntries.has(found.target ?? ''))
    .map((found) => `${describeImport(found)}: examples import only ${[...publicEntries].map((entry) => `src/${entry}`).join(', ')}`)
  assertNone(violations, 'examples use the public API only')
})
