/**
 * The address of the client behind a request. Behind a reverse proxy every connection comes from
 * the proxy; the proxy names the client in `Forwarded` (RFC 7239) or `X-Forwarded-For`. Those
 * headers are believed only when the connection comes from a configured trusted proxy, and are
 * read right to left, skipping the trusted proxies, so a client cannot pick its own address by
 * sending the header itself.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { BlockList, isIP } from 'node:net'

/** Resolves client addresses; `trustedProxies` are addresses (`10.0.0.5`) or CIDR ranges (`10.0.0.0/8`, `fd00::/8`). */
export class ClientAddressResolver {
  readonly #trusted = new BlockList()
  readonly #any: boolean

  constructor(trustedProxies: readonly string[] = []) {
    this.#any = trustedProxies.length > 0
    for (const entry of trustedProxies) addTrusted(this.#trusted, entry)
  }

  /** The client's address: the socket's own, or, from a trusted proxy, the nearest untrusted hop it names. */
  resolve(socketAddress: string, headers: IncomingHttpHeaders): string {
    if (!this.#any || !this.#isTrusted(socketAddress)) return socketAddress
    const hops = forwardedHops(headers)
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string
      if (isIP(hop) === 0) return socketAddress
      if (!this.#isTrusted(hop)) return hop
    }
    return hops[0] ?? socketAddress
  }

  #isTrusted(address: string): boolean {
    const plain = unmapped(address)
    const family = isIP(plain)
    if (family === 0) return false
    return this.#trusted.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}

function addTrusted(list: BlockList, entry: string): void {
  const [address = '', prefix] = entry.trim().split('/')
  const family = isIP(address)
  if (family === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
    throw new Error(`trusted proxy '${entry}' is not an IP address or CIDR range`)
  }
  const type = family === 6 ? 'ipv6' : 'ipv4'
  if (prefix === undefined) list.addAddress(address, type)
  else list.addSubnet(address, Number(prefix), type)
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) → `10.0.0.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

/** The addresses the proxies recorded, client first: `Forwarded`'s `for=` values, else `X-Forwarded-For`'s. */
function forwardedHops(headers: IncomingHttpHeaders): string[] {
  const forwarded = headers.forwarded
  if (forwarded !== undefined) {
    const hops: string[] = []
    for (const element of forwarded.split(',')) {
      for (const pair of element.split(';')) {
        const [name, value] = pair.split('=', 2)
        if (name?.trim().toLowerCase() === 'for' && value !== undefined) hops.push(forwardedNode(value.trim()))
      }
    }
    return hops
  }
  const list = headers['x-forwarded-for']
  const text = Array.isArray(list) ? list.join(',') : list
  return text === undefined ? [] : text.split(',').map((hop) => unmapped(hop.trim()))
}

/** A `for=` node of RFC 7239: `192.0.2.43`, `"[2001:db8::1]:4711"`, `"192.0.2.43:47011"`. */
function forwardedNode(value: string): string {
  const unquoted = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
  if (unquoted.startsWith('[')) return unquoted.slice(1, unquoted.indexOf(']'))
  const colon = unquoted.indexOf(':')
  return unmapped(colon !== -1 && unquoted.indexOf(':', colon + 1) === -1 ? unquoted.slice(0, colon) : unquoted)
}
