/**
 * The browser origins the built-in WebSocket routes accept. Without a list, a page may connect
 * when its origin's host equals the request's `Host` header; a DNS-rebinding page (a hostile
 * name pointed at this server) passes that test. `publicHosts`, the names the server is reached
 * by, closes it: when set and `allowedOrigins` is not, only pages on those hosts may connect.
 */

export type OriginSettings = {
  allowedOrigins?: readonly string[] | undefined
  publicHosts?: readonly string[] | undefined
}

/** `allowedOrigins`, else the public hosts (each a host on any scheme), else undefined: the same-host rule. */
export function routeOrigins(config: OriginSettings): readonly string[] | undefined {
  if (config.allowedOrigins !== undefined) return config.allowedOrigins
  return config.publicHosts !== undefined && config.publicHosts.length > 0 ? config.publicHosts : undefined
}
