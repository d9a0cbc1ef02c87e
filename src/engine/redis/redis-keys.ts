/**
 * Every Redis key and pub/sub channel name the Redis engine uses, built in this one module, so
 * the layout (and a later shard index) changes in one place.
 */
import { createHash } from 'node:crypto'

/**
 * Names of one deployment's keys, all under `prefix` (several deployments may share a Redis).
 *
 * Every key of a channel carries the same hash tag `{t}`, where `t` is a short hash of the
 * channel name (never the name itself: a name starting with `}` would give an empty tag and
 * scatter the keys), so each script touches one slot and Redis Cluster can serve it.
 *
 * | purpose | key | type |
 * |---|---|---|
 * | history | `P.stream.{t}` | stream, entry id = offset, fields `d` data, `m` meta JSON, `x` expire-at ms |
 * | position | `P.meta.{t}` | hash `e` epoch, `s` top offset, `t` its own TTL (ms) |
 * | idempotency | `P.result.{t}.<key>` | hash `e`, `s` |
 * | presence | `P.presence.data.{t}`, `P.presence.expire.{t}`, `P.presence.users.{t}` | hash client → info, zset client → expire-at ms, hash user → connections |
 * | fan-out | `P.client.{t}.<channel>` | pub/sub (frames in `frame.ts`) |
 * | control | `P.control` | pub/sub |
 */
export class RedisKeys {
  readonly prefix: string
  readonly #clientPrefix: string

  constructor(prefix: string) {
    this.prefix = prefix
    this.#clientPrefix = `${prefix}.client.`
  }

  /** The channel's hash tag, braces included: 16 hex characters of its SHA-1. */
  tag(channel: string): string {
    return `{${createHash('sha1').update(channel).digest('hex').slice(0, 16)}}`
  }

  stream(channel: string): string {
    return `${this.prefix}.stream.${this.tag(channel)}`
  }

  meta(channel: string): string {
    return `${this.prefix}.meta.${this.tag(channel)}`
  }

  /** The idempotency result of one key; `key` may be '' when the publish has none (never written then). */
  result(channel: string, key: string): string {
    return `${this.prefix}.result.${this.tag(channel)}.${key}`
  }

  /** The three presence keys of a channel: entries, expiry scores, per-user connection counts. */
  presence(channel: string): [data: string, expire: string, users: string] {
    const tag = this.tag(channel)
    return [`${this.prefix}.presence.data.${tag}`, `${this.prefix}.presence.expire.${tag}`, `${this.prefix}.presence.users.${tag}`]
  }

  /** The pub/sub channel that carries the channel's frames to subscribed nodes. */
  pubsub(channel: string): string {
    return `${this.#clientPrefix}${this.tag(channel)}.${channel}`
  }

  /** The channel name back from a pub/sub name built by `pubsub`; undefined for any other name. */
  channelOf(pubsubName: string): string | undefined {
    if (!pubsubName.startsWith(this.#clientPrefix)) return undefined
    // `{` + 16 hex + `}` + `.`
    return pubsubName.slice(this.#clientPrefix.length + 19)
  }

  /** The pub/sub channel of control messages, which every node subscribes. */
  get control(): string {
    return `${this.prefix}.control`
  }
}
