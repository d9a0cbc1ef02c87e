/**
 * The address a person types into a browser for a bound server: a wildcard bind (`0.0.0.0`, `::`)
 * is not an address to open, so it shows as `localhost`.
 */

/** `http://localhost:8080` for a wildcard bind, `https://[::1]:8443` for an IPv6 one with TLS. */
export function browsableUrl(host: string, port: number, tls: boolean): string {
  const scheme = tls ? 'https' : 'http'
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]'
  const shown = wildcard ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `${scheme}://${shown}:${port}`
}
