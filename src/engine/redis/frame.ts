/**
 * The frames a channel's pub/sub messages carry between nodes: a publication with its position,
 * a join or a leave. The publish script writes the publication frame, so its layout is shared
 * with `lua/publish.lua`.
 */
import type { ClientInfo, Publication, StreamPosition } from '../types.js'

/**
 * One message on a channel's pub/sub name, told apart by its first character:
 *
 * | frame | meaning |
 * |---|---|
 * | `p<offset>:<epoch>:<meta>\n<data>` | publication; `meta` is the JSON envelope (`t` time ms, `i` info, `g` tags), `data` the payload as sent |
 * | `j<info JSON>` | join |
 * | `l<info JSON>` | leave |
 *
 * Epochs are base64url (no `:`), and JSON text never holds a raw newline, so the first `\n`
 * ends the envelope whatever the payload contains.
 */
export type Frame =
  | { type: 'publication'; publication: Publication; position: StreamPosition }
  | { type: 'join' | 'leave'; info: ClientInfo }

/** What a publication stores besides its payload, as written in stream entries and frames. */
export type PublicationMeta = { t: number; i?: ClientInfo; g?: Record<string, string> }

export function encodeMeta(timeMs: number, info: ClientInfo | undefined, tags: Record<string, string> | undefined): string {
  const meta: PublicationMeta = { t: timeMs }
  if (info !== undefined) meta.i = info
  if (tags !== undefined) meta.g = tags
  return JSON.stringify(meta)
}

/** A publication from its stored parts. */
export function publicationOf(offset: number, data: string, metaJson: string): Publication {
  const meta = JSON.parse(metaJson) as PublicationMeta
  const publication: Publication = { offset, data, timeMs: meta.t }
  if (meta.i !== undefined) publication.info = meta.i
  if (meta.g !== undefined) publication.tags = meta.g
  return publication
}

export function encodeJoin(info: ClientInfo): string {
  return `j${JSON.stringify(info)}`
}

export function encodeLeave(info: ClientInfo): string {
  return `l${JSON.stringify(info)}`
}

/** Decodes one frame; undefined for anything malformed (a foreign publisher on our prefix). */
export function decodeFrame(message: string): Frame | undefined {
  try {
    switch (message[0]) {
      case 'p': {
        const firstColon = message.indexOf(':')
        const secondColon = message.indexOf(':', firstColon + 1)
        const newline = message.indexOf('\n', secondColon + 1)
        if (firstColon < 0 || secondColon < 0 || newline < 0) return undefined
        const offset = Number(message.slice(1, firstColon))
        if (!Number.isSafeInteger(offset)) return undefined
        const epoch = message.slice(firstColon + 1, secondColon)
        const publication = publicationOf(offset, message.slice(newline + 1), message.slice(secondColon + 1, newline))
        return { type: 'publication', publication, position: { offset, epoch } }
      }
      case 'j':
      case 'l':
        return { type: message[0] === 'j' ? 'join' : 'leave', info: JSON.parse(message.slice(1)) as ClientInfo }
      default:
        return undefined
    }
  } catch {
    return undefined
  }
}
