/**
 * One Pusher connection: its socket id, app, channels and heartbeat state, and its seat in the hub
 * (`Subscriber`). Delivery skips what this connection must not see: its own client events (never
 * echoed) and its own user's member events.
 */
import type { HubEvent, Subscriber } from '../../hub/types.js'
import { encodeError, PusherCode, type PusherApp, type PusherChannel } from '../../protocol/pusher/index.js'
import { TokenBucket } from '../../token-bucket.js'
import type { Conn, PreparedMessage } from '../../server/types.js'
import { pusherFormat } from './frame-encoder.js'

/** One channel of the session. `ready` once `subscription_succeeded` was sent. */
export type SessionChannel = {
  readonly channel: PusherChannel
  readonly hubChannel: string
  /** The presence member's user id (presence channels only). */
  readonly presenceUser: string | undefined
  ready: boolean
}

export class PusherSession implements Subscriber<PreparedMessage> {
  readonly clientId: string
  readonly userId = ''
  readonly format = pusherFormat
  readonly conn: Conn
  readonly app: PusherApp
  /** By Pusher channel name. */
  readonly channels = new Map<string, SessionChannel>()
  /** Presence user per hub channel, to skip this user's own member events. */
  readonly #presenceUsers = new Map<string, string>()
  readonly clientEvents: TokenBucket
  /** Every message the peer sends spends one token. */
  readonly messages: TokenBucket
  /** The user of a valid `pusher:signin`. */
  signedInUser: string | undefined
  /** When the peer last sent anything. */
  lastSeenMs: number
  /** When the server's `pusher:ping` went out; undefined when none is pending. */
  pingSentAtMs: number | undefined

  constructor(conn: Conn, app: PusherApp, socketId: string, nowMs: number, messageRate: { perSecond: number; burst: number }) {
    this.conn = conn
    this.app = app
    this.clientId = socketId
    this.lastSeenMs = nowMs
    this.clientEvents = new TokenBucket(app.maxClientEventsPerSecond, app.maxClientEventsPerSecond, nowMs)
    this.messages = new TokenBucket(messageRate.perSecond, messageRate.burst, nowMs)
  }

  get socketId(): string {
    return this.clientId
  }

  /** Any frame from the peer proves it alive. */
  seen(nowMs: number): void {
    this.lastSeenMs = nowMs
    this.pingSentAtMs = undefined
  }

  addChannel(entry: SessionChannel): void {
    this.channels.set(entry.channel.name, entry)
    if (entry.presenceUser !== undefined) this.#presenceUsers.set(entry.hubChannel, entry.presenceUser)
  }

  removeChannel(name: string): SessionChannel | undefined {
    const entry = this.channels.get(name)
    if (entry === undefined) return undefined
    this.channels.delete(name)
    this.#presenceUsers.delete(entry.hubChannel)
    return entry
  }

  /** Whether the connection is signed in as the user, or is a presence member as the user (on any channel). */
  isUser(userId: string): boolean {
    if (this.signedInUser === userId) return true
    for (const user of this.#presenceUsers.values()) if (user === userId) return true
    return false
  }

  send(text: string): void {
    this.conn.send(text)
  }

  /** A `pusher:error` event; with `close`, the connection then closes with the same code. */
  error(code: number, message: string, close = false): void {
    this.conn.send(encodeError(code, message))
    if (close) this.conn.close(code, message)
  }

  deliver(frame: PreparedMessage, event: HubEvent): void {
    if (event.type === 'publication') {
      if (event.publication.info?.client === this.clientId) return
    } else if (event.info.user === this.#presenceUsers.get(event.channel)) {
      return
    }
    this.conn.sendPrepared(frame)
  }

  /**
   * Not expected: Pusher channels keep no history, so the hub never loses their streams. If an
   * operator gives a namespace history, a gap is closed with 4200 so the client reconnects and
   * resubscribes.
   */
  onStreamLost(): void {
    this.error(PusherCode.reconnect, 'stream lost; reconnect', true)
  }
}
