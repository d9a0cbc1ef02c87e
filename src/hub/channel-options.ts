/** Resolves a channel name to its namespace's options. */
import { ErrorReason, PeerError } from '../errors.js'
import { parseChannelName, type ChannelName } from './channel-name.js'
import type { ChannelsOptions, NamespaceOptions } from './options.js'

/** A namespace's options plus what follows from them. */
export type ChannelOptions = NamespaceOptions & {
  /** Both `historySize` and `historyTtlMs` are above 0. */
  readonly historyEnabled: boolean
  /** History is on and `recover` is set: subscribe results say `recoverable`. */
  readonly recoverable: boolean
  /** Presence entries are kept (for `presence`, or to tell join/leave per user). */
  readonly tracksPresence: boolean
}

/** A parsed channel name with its namespace's options. */
export type ResolvedChannel = ChannelName & { readonly options: ChannelOptions }

function derive(options: NamespaceOptions): ChannelOptions {
  const historyEnabled = options.historySize > 0 && options.historyTtlMs > 0
  return Object.freeze({
    ...options,
    historyEnabled,
    recoverable: historyEnabled && options.recover,
    tracksPresence: options.presence || options.joinLeave,
  })
}

/** Looks up the options that apply to a channel name. Built once from the `channels` config. */
export class ChannelOptionsResolver {
  readonly #maxNameLength: number
  readonly #default: ChannelOptions
  readonly #namespaces = new Map<string, ChannelOptions>()

  constructor(options: ChannelsOptions) {
    this.#maxNameLength = options.maxChannelNameLength
    this.#default = derive(options.default)
    for (const [name, ns] of Object.entries(options.namespaces)) this.#namespaces.set(name, derive(ns))
  }

  /** Throws `PeerError` `badRequest` for a malformed name, `unknownChannel` for a namespace not configured. */
  resolve(channel: string): ResolvedChannel {
    const name = parseChannelName(channel, this.#maxNameLength)
    const options = name.namespace === '' ? this.#default : this.#namespaces.get(name.namespace)
    if (options === undefined) throw new PeerError(ErrorReason.unknownChannel, 'unknown channel')
    return { ...name, options }
  }
}
