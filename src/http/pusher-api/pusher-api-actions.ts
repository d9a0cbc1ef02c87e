/**
 * What each Pusher REST route does, on the hub: trigger events (with `socket_id` exclusion and
 * `info`), list and describe channels, list presence users, terminate a user's connections.
 * Channel counts come from the hub's local subscriptions (this node); presence counts from the
 * engine (every node).
 */
import type { HubApi } from '../../hub/types.js'
import {
  appChannelOf,
  hubChannelOf,
  parsePusherChannel,
  terminateControl,
  toHubPayload,
  type PusherApp,
  type PusherChannel,
} from '../../protocol/pusher/index.js'
import { ApiRefusal, type TriggerEvent } from './event-requests.js'

export type PusherApiHub = Pick<HubApi, 'publish' | 'channels' | 'presence' | 'presenceStats' | 'broadcastControl'>

type ChannelInfo = { occupied?: boolean; subscription_count?: number; user_count?: number }

export class PusherApiActions {
  readonly #hub: PusherApiHub

  constructor(hub: PusherApiHub) {
    this.#hub = hub
  }

  /** Publishes one event on each of its channels; answers the requested `info` per channel. */
  async trigger(app: PusherApp, event: TriggerEvent): Promise<Record<string, ChannelInfo> | undefined> {
    const payload = toHubPayload(event.name, event.data)
    const info = event.socketId === undefined ? undefined : { client: event.socketId, user: '' }
    await Promise.all(event.channels.map((channel) => this.#hub.publish(hubChannelOf(app.namespace, channel), { ...payload, ...(info === undefined ? {} : { info }) })))
    if (event.info.length === 0) return undefined
    const result: Record<string, ChannelInfo> = {}
    for (const channel of event.channels) result[channel.name] = await this.#info(app, channel, event.info)
    return result
  }

  /** `GET /channels`: occupied channels, optionally by prefix; `user_count` only with a `presence-` prefix. */
  async channels(app: PusherApp, prefix: string | undefined, info: string[]): Promise<Record<string, ChannelInfo>> {
    if (info.includes('subscription_count')) throw new ApiRefusal(400, 'info=subscription_count is for a single channel')
    if (info.includes('user_count') && !(prefix ?? '').startsWith('presence-')) {
      throw new ApiRefusal(400, 'info=user_count needs filter_by_prefix=presence-')
    }
    const result: Record<string, ChannelInfo> = {}
    for (const [hubChannel, count] of this.#hub.channels()) {
      if (count === 0) continue
      const channel = appChannelOf(app.namespace, hubChannel)
      if (channel === undefined || channel.kind === 'user' || (prefix !== undefined && !channel.name.startsWith(prefix))) continue
      result[channel.name] = info.includes('user_count') ? { user_count: await this.#userCount(app, channel) } : {}
    }
    return result
  }

  /** `GET /channels/{name}`. */
  async channel(app: PusherApp, name: string, info: string[]): Promise<ChannelInfo> {
    const channel = this.#parse(name)
    if (info.includes('user_count') && channel.kind !== 'presence') throw new ApiRefusal(400, 'user_count is for presence channels')
    const count = this.#hub.channels().get(hubChannelOf(app.namespace, channel)) ?? 0
    return { occupied: count > 0, ...(await this.#info(app, channel, info)) }
  }

  /** `GET /channels/{name}/users`: presence channels only. */
  async users(app: PusherApp, name: string): Promise<{ users: Array<{ id: string }> }> {
    const channel = this.#parse(name)
    if (channel.kind !== 'presence') throw new ApiRefusal(400, 'users are listed for presence channels only')
    const entries = await this.#hub.presence(hubChannelOf(app.namespace, channel))
    const ids = new Set<string>()
    for (const entry of Object.values(entries)) if (entry.user !== '') ids.add(entry.user)
    return { users: [...ids].map((id) => ({ id })) }
  }

  /** `POST /users/{id}/terminate_connections`: every node closes that user's connections of the app. */
  async terminate(app: PusherApp, userId: string): Promise<void> {
    if (userId === '' || userId.length > 128) throw new ApiRefusal(400, 'invalid user id')
    await this.#hub.broadcastControl(terminateControl(app.id, userId))
  }

  async #info(app: PusherApp, channel: PusherChannel, info: string[]): Promise<ChannelInfo> {
    const result: ChannelInfo = {}
    if (info.includes('subscription_count')) result.subscription_count = this.#hub.channels().get(hubChannelOf(app.namespace, channel)) ?? 0
    if (info.includes('user_count') && channel.kind === 'presence') result.user_count = await this.#userCount(app, channel)
    return result
  }

  async #userCount(app: PusherApp, channel: PusherChannel): Promise<number> {
    if (channel.kind !== 'presence') return 0
    return (await this.#hub.presenceStats(hubChannelOf(app.namespace, channel))).numUsers
  }

  #parse(name: string): PusherChannel {
    const channel = parsePusherChannel(name)
    if (channel === undefined) throw new ApiRefusal(400, 'invalid channel name')
    return channel
  }
}
