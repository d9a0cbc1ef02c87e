/** The package's public API: the server, its seams and the built-in HTTP routes. */
export { App, type AppState, type CloseOptions } from './server/app.js'
export {
  appDefaults,
  limitDefaults,
  type AppOptions,
  type CompressionOptions,
  type RouteLimits,
  type RouteOptions,
} from './server/app-options.js'
export type { Component, Conn, HttpHandler, PreparedMessage, RequestInfo } from './server/types.js'
export { prepareMessage } from './server/prepared-message.js'
export { RateLimit, RATE_LIMIT_CLOSE_CODE, type RateLimitOptions } from './server/rate-limit.js'
export { TokenBucket } from './token-bucket.js'
export { OriginPolicy } from './server/origin-policy.js'
export { ServerMetrics, type RefusalReason } from './server/metrics.js'
export { EchoServer } from './components/echo.js'
export { healthHandler, mountHealth, readinessHandler } from './http/health.js'
export { metricsHandler, mountMetrics } from './http/metrics.js'
export { createPusherApiHandler, mountPusherApi, type PusherApiOptions } from './http/pusher-api/pusher-api.js'
export { DisconnectReason, ErrorReason, PeerError, type PeerErrorOptions } from './errors.js'
export { CloseError } from './server/close-error.js'
export { silentLogger, type Logger } from './logger.js'
