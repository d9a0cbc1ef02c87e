/**
 * How a Pusher event rides in a hub publication, and back. The hub carries JSON text and string
 * tags; a Pusher event is a name plus a data string. So:
 * - the event name is the tag `event` (a publication without it, e.g. from `/api/publish`,
 *   reaches Pusher clients as `defaultEventName`);
 * - data that is JSON text is carried as it is, so native-protocol clients receive the value;
 * - data that is not JSON is carried as a JSON string with the tag `pusher_data: "string"`, so
 *   Pusher clients get back exactly the string that was published.
 */
import { jsonNestsDeeperThan } from '../json-depth.js'

/** The tag holding the Pusher event name. */
export const eventTag = 'event'
/** The tag marking data that was a plain (non-JSON) string. */
export const stringDataTag = 'pusher_data'
/** The Pusher event name of publications that carry no `event` tag. */
export const defaultEventName = 'message'

/** What `hub.publish` gets for a Pusher event. */
export type HubPayload = { data: string; tags: Record<string, string> }

/** JSON text that every later reader can walk: nested too deep, it travels as a string instead. */
function isJsonText(text: string): boolean {
  if (jsonNestsDeeperThan(text)) return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** A Pusher event (name, data string as published) as a hub payload. */
export function toHubPayload(event: string, data: string): HubPayload {
  if (isJsonText(data)) return { data, tags: { [eventTag]: event } }
  return { data: JSON.stringify(data), tags: { [eventTag]: event, [stringDataTag]: 'string' } }
}

/** A hub publication (data and tags) as a Pusher event name and data string. */
export function fromHubPayload(data: string, tags: Readonly<Record<string, string>> | undefined): { event: string; data: string } {
  const event = tags?.[eventTag] ?? defaultEventName
  if (tags?.[stringDataTag] === 'string') {
    const parsed: unknown = JSON.parse(data)
    if (typeof parsed === 'string') return { event, data: parsed }
  }
  return { event, data }
}
