/** Hub data in the native protocol's wire shapes: one mapping for pushes, subscribe results and history. */
import type { ClientInfo, Publication } from '../../hub/types.js'
import type { WireClientInfo, WirePublication } from '../../protocol/centrifuge/index.js'

/** Engine client info → wire client info (same fields; optional ones only when set). */
export function toWireInfo(info: ClientInfo): WireClientInfo {
  const wire: WireClientInfo = { user: info.user, client: info.client }
  if (info.connInfo !== undefined) wire.connInfo = info.connInfo
  if (info.chanInfo !== undefined) wire.chanInfo = info.chanInfo
  return wire
}

/** A publication as pushes, subscribe results and history replies carry it. */
export function toWirePublication(publication: Publication): WirePublication {
  const wire: WirePublication = { data: publication.data, offset: publication.offset }
  if (publication.info !== undefined) wire.info = toWireInfo(publication.info)
  if (publication.tags !== undefined) wire.tags = publication.tags
  return wire
}
