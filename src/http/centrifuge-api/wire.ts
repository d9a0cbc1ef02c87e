/** Centrifugo's JSON shapes of client info and publications in server API replies. */
import type { ClientInfo, Publication } from '../../hub/types.js'

/** Centrifugo's ClientInfo on the wire: `conn_info`/`chan_info` are JSON values, not text. */
export type WireClientInfo = { user: string; client: string; conn_info?: unknown; chan_info?: unknown }
export type WirePublication = { data: unknown; info?: WireClientInfo; offset?: number; tags?: Record<string, string> }

export function toWireClientInfo(info: ClientInfo): WireClientInfo {
  const wire: WireClientInfo = { user: info.user, client: info.client }
  if (info.connInfo !== undefined) wire.conn_info = JSON.parse(info.connInfo)
  if (info.chanInfo !== undefined) wire.chan_info = JSON.parse(info.chanInfo)
  return wire
}

export function toWirePublication(publication: Publication): WirePublication {
  const wire: WirePublication = { data: JSON.parse(publication.data) }
  if (publication.info !== undefined) wire.info = toWireClientInfo(publication.info)
  if (publication.offset > 0) wire.offset = publication.offset
  if (publication.tags !== undefined && Object.keys(publication.tags).length > 0) wire.tags = publication.tags
  return wire
}
