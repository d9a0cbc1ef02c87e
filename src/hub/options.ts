/** The `channels` config section: namespace options and the hub's limits. */
import { z } from 'zod'
import { DEFAULT_IDEMPOTENCY_WINDOW_MS } from '../engine/options.js'

/**
 * The `channels` config section: namespace options and the hub's limits. Every field and default
 * here is listed in docs/config.md; keep the two in step.
 *
 * A channel's namespace is the part of its name before the first `:` (`chat:lobby` → `chat`);
 * channels without `:` use `default`. Named namespaces do not inherit from `default`: each one
 * states its own options, and an omitted field takes the default shown here.
 */

/**
 * Who may call an operation from a client connection. The server itself (HTTP API, application
 * code) is never restricted.
 * - `none`: no client;
 * - `subscribers`: clients subscribed to the channel on this connection;
 * - `clients`: any connected client (for `$` private channels, still only subscribers).
 */
export const accessLevels = ['none', 'subscribers', 'clients'] as const
export type AccessLevel = (typeof accessLevels)[number]

/**
 * Defaults of one namespace's options — the one place they are written: the schemas below (which
 * the `Hub` constructor and the config loader both parse with) read them.
 */
export const namespaceDefaults = {
  historySize: 0,
  historyTtlMs: 0,
  presence: false,
  joinLeave: false,
  allowSubscribe: true,
  allowPublish: 'none',
  allowHistory: 'subscribers',
  allowPresence: 'subscribers',
  recover: true,
  anonymousAccess: false,
  maxPublicationBytes: 0,
  clientPublishesPerSecond: 0,
  clientPublishBurst: 10,
} as const satisfies Record<string, number | boolean | AccessLevel>

/** Defaults of the hub's limits (the `channels` section's own fields). See `namespaceDefaults`. */
export const channelsDefaults = {
  maxChannelNameLength: 255,
  maxChannelsPerConnection: 128,
  maxHistoryPage: 1000,
  maxPublicationBytes: 65_536,
  presenceTtlMs: 60_000,
  leaveDebounceMs: 1000,
  idempotencyWindowMs: DEFAULT_IDEMPOTENCY_WINDOW_MS,
  maxPendingEvents: 10_000,
} as const

const nonNegativeInt = () => z.number().int().nonnegative()
const positiveInt = () => z.number().int().positive()

/** Options of one namespace. */
export const namespaceOptionsSchema = z
  .strictObject({
    /**
     * Publications kept per channel for history and recovery. History is on only when both
     * `historySize` and `historyTtlMs` are above 0. Offsets advance either way.
     */
    historySize: nonNegativeInt().default(namespaceDefaults.historySize),
    /** How long a publication stays in history, in milliseconds. 0 with `historySize` 0 = no history. */
    historyTtlMs: nonNegativeInt().default(namespaceDefaults.historyTtlMs),
    /** Keep a presence entry per subscribed connection, readable through `presence`/`presenceStats`. */
    presence: z.boolean().default(namespaceDefaults.presence),
    /**
     * Deliver join/leave events to subscribers: join when a user's first connection subscribes,
     * leave when their last one unsubscribes. Uses presence entries to tell (even when `presence`
     * is off, in which case presence stays unreadable).
     */
    joinLeave: z.boolean().default(namespaceDefaults.joinLeave),
    /**
     * Clients may subscribe without a subscription token. Off: only a token (or a server-side
     * subscription) grants access. User-limited channels (`dm:#alice,bob`) ignore this: their
     * listed users may always subscribe.
     */
    allowSubscribe: z.boolean().default(namespaceDefaults.allowSubscribe),
    /** Which clients may publish. The default leaves publishing to the server (HTTP API, app code). */
    allowPublish: z.enum(accessLevels).default(namespaceDefaults.allowPublish),
    /** Which clients may read history (when history is on). */
    allowHistory: z.enum(accessLevels).default(namespaceDefaults.allowHistory),
    /** Which clients may read presence (when presence is on). */
    allowPresence: z.enum(accessLevels).default(namespaceDefaults.allowPresence),
    /**
     * Offer recovery: subscribe results say `recoverable`, and a reconnecting client receives what
     * it missed from history. Has effect only when history is on.
     */
    recover: z.boolean().default(namespaceDefaults.recover),
    /**
     * Anonymous connections (no user id) may subscribe, publish and read history and presence as
     * the options above allow. Off: they need a subscription token to subscribe and can do nothing else.
     */
    anonymousAccess: z.boolean().default(namespaceDefaults.anonymousAccess),
    /** Largest publication `data` in this namespace, in UTF-8 bytes. 0: the `channels` section's `maxPublicationBytes`. */
    maxPublicationBytes: nonNegativeInt().default(namespaceDefaults.maxPublicationBytes),
    /**
     * Publications per second one connection may make into this namespace (may be fractional);
     * more are refused with `tooManyRequests`. 0: no limit. Server publishes are never limited.
     */
    clientPublishesPerSecond: z.number().nonnegative().default(namespaceDefaults.clientPublishesPerSecond),
    /** Publications a connection may make at once before `clientPublishesPerSecond` applies. */
    clientPublishBurst: positiveInt().default(namespaceDefaults.clientPublishBurst),
  })
  .superRefine((value, ctx) => {
    if ((value.historySize > 0) !== (value.historyTtlMs > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: [value.historySize > 0 ? 'historyTtlMs' : 'historySize'],
        message: 'historySize and historyTtlMs must both be above 0 to keep history, or both 0',
      })
    }
  })

export type NamespaceOptions = z.output<typeof namespaceOptionsSchema>
export type NamespaceOptionsInput = z.input<typeof namespaceOptionsSchema>

/** Namespace names as they appear before `:` in channel names. */
const namespaceNamePattern = /^[-a-zA-Z0-9_]{2,64}$/

/** The `channels` config section. */
export const channelsOptionsSchema = z.strictObject({
  /** Options of channels whose name has no namespace (no `:`), personal channels (`#42`) included. */
  default: namespaceOptionsSchema.prefault({}),
  /**
   * Named namespaces, keyed by name (2–64 of `a-z A-Z 0-9 - _`). A channel naming a namespace not
   * listed here is refused as `unknownChannel`.
   */
  namespaces: z
    .record(z.string().regex(namespaceNamePattern, 'namespace names are 2-64 of a-z A-Z 0-9 - _'), namespaceOptionsSchema)
    .default({}),
  /** Longest channel name accepted, in characters (ASCII). Longer names are refused as `badRequest`. */
  maxChannelNameLength: positiveInt().default(channelsDefaults.maxChannelNameLength),
  /** Channels one connection may be subscribed to at once; one more is refused as `limitExceeded`. */
  maxChannelsPerConnection: positiveInt().default(channelsDefaults.maxChannelsPerConnection),
  /**
   * Most publications one history call returns (larger limits are lowered to it), and most a
   * reconnecting client may recover: if it missed more, it is told `recovered: false`.
   */
  maxHistoryPage: positiveInt().default(channelsDefaults.maxHistoryPage),
  /** Largest publication `data` accepted, in UTF-8 bytes; larger is refused with 106. */
  maxPublicationBytes: positiveInt().default(channelsDefaults.maxPublicationBytes),
  /**
   * How long a member's leave waits before it is announced; a join within it announces nothing,
   * so reloads and subscribe/unsubscribe churn send no join/leave pairs. 0 announces at once.
   */
  leaveDebounceMs: nonNegativeInt().default(channelsDefaults.leaveDebounceMs),
  /**
   * Lifetime of a presence entry, in milliseconds. The hub refreshes its entries every third of
   * it, so an entry outlives a crashed node by at most this long.
   */
  presenceTtlMs: z.number().int().min(1000).default(channelsDefaults.presenceTtlMs),
  /** How long a publish's idempotency key is remembered per channel, in milliseconds. */
  idempotencyWindowMs: positiveInt().default(channelsDefaults.idempotencyWindowMs),
  /**
   * Live events held for one subscriber while its subscription is being set up (between the
   * engine subscribe and `activate()`). Passing it loses the stream for that subscriber, which
   * is told so through `Subscriber.onStreamLost`.
   */
  maxPendingEvents: positiveInt().default(channelsDefaults.maxPendingEvents),
})

export type ChannelsOptions = z.output<typeof channelsOptionsSchema>
export type ChannelsOptionsInput = z.input<typeof channelsOptionsSchema>

/** Parses a `channels` section (or nothing, for every default); throws a `ZodError` with paths. */
export function parseChannelsOptions(input: ChannelsOptionsInput = {}): ChannelsOptions {
  return channelsOptionsSchema.parse(input)
}
