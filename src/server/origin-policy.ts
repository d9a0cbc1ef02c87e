/**
 * Which browser origins may open a WebSocket on a route (browsers send `Origin`; they do not apply
 * the same-origin policy to WebSockets, so the server must).
 *
 * Entries: `'*'` allows every origin; `'https://app.example.com'` allows that exact origin
 * (scheme, host and port); `'app.example.com'` allows that host on any scheme; `'*.example.com'`
 * (or `'https://*.example.com'`) allows any subdomain of example.com, not example.com itself.
 * Without a list only the server's own host is allowed: the Origin's host must equal the request's
 * Host header. A request without `Origin` (a non-browser client) is always allowed.
 */
export class OriginPolicy {
  readonly #allowAll: boolean
  readonly #exactOrigins = new Set<string>()
  readonly #exactHosts = new Set<string>()
  readonly #suffixes: Array<{ scheme: string | undefined; suffix: string }> = []
  readonly #ownHostOnly: boolean

  constructor(allowedOrigins?: readonly string[]) {
    this.#ownHostOnly = allowedOrigins === undefined
    this.#allowAll = allowedOrigins?.includes('*') ?? false
    for (const entry of allowedOrigins ?? []) this.#add(entry.trim().toLowerCase())
  }

  /** `origin` and `host` are the raw request headers. */
  allows(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined || this.#allowAll) return true
    const parsed = parseOrigin(origin)
    if (parsed === undefined) return false
    if (this.#ownHostOnly) return host !== undefined && sameHost(parsed, host)
    if (this.#exactOrigins.has(parsed.origin) || this.#exactHosts.has(parsed.host)) return true
    return this.#suffixes.some(
      ({ scheme, suffix }) =>
        (scheme === undefined || scheme === parsed.scheme) && parsed.hostname.endsWith(suffix),
    )
  }

  #add(entry: string): void {
    if (entry === '*') return
    const schemeEnd = entry.indexOf('://')
    const scheme = schemeEnd === -1 ? undefined : entry.slice(0, schemeEnd)
    const rest = schemeEnd === -1 ? entry : entry.slice(schemeEnd + 3)
    if (rest.startsWith('*.')) {
      this.#suffixes.push({ scheme, suffix: rest.slice(1) })
    } else if (scheme === undefined) {
      this.#exactHosts.add(rest)
    } else {
      const parsed = parseOrigin(entry)
      if (parsed !== undefined) this.#exactOrigins.add(parsed.origin)
    }
  }
}

/** Compares through the Origin's scheme so default ports match (`example.com:443` is `https://example.com`). */
function sameHost(origin: ParsedOrigin, hostHeader: string): boolean {
  try {
    return new URL(`${origin.scheme}://${hostHeader.trim()}`).host === origin.host
  } catch {
    return false
  }
}

type ParsedOrigin = { origin: string; scheme: string; host: string; hostname: string }

/** Normalises through WHATWG URL: lower case, default ports dropped. `null` origins do not parse. */
function parseOrigin(origin: string): ParsedOrigin | undefined {
  try {
    const url = new URL(origin)
    if (url.host === '') return undefined
    return { origin: url.origin, scheme: url.protocol.slice(0, -1), host: url.host, hostname: url.hostname }
  } catch {
    return undefined
  }
}
