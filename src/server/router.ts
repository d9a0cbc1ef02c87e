/** The path of a request target, without the query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/'
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * Maps request paths to handlers: exact paths, and prefixes written `'/prefix/*'` (which match
 * `/prefix/` and everything below it, and `/prefix` itself). Exact wins over prefix; among
 * prefixes the longest wins. Registering the same path twice is a mistake and throws.
 */
export class Router<T> {
  readonly #exact = new Map<string, T>()
  readonly #prefixes: Array<{ prefix: string; value: T }> = []

  add(path: string, value: T): void {
    if (!path.startsWith('/')) throw new TypeError(`route path must start with '/': ${path}`)
    if (path.endsWith('/*')) {
      const prefix = path.slice(0, -1)
      if (this.#prefixes.some((entry) => entry.prefix === prefix)) throw new Error(`route already mounted: ${path}`)
      this.#prefixes.push({ prefix, value })
      this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length)
      return
    }
    if (this.#exact.has(path)) throw new Error(`route already mounted: ${path}`)
    this.#exact.set(path, value)
  }

  match(path: string): T | undefined {
    const exact = this.#exact.get(path)
    if (exact !== undefined) return exact
    for (const { prefix, value } of this.#prefixes) {
      if (path.startsWith(prefix) || path === prefix.slice(0, -1)) return value
    }
    return undefined
  }
}
