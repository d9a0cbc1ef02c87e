/**
 * The control message of the REST API's `terminate_connections`: relayed by the hub to every
 * node, where the Pusher component closes that user's connections of that app.
 */

export const terminateKind = 'pusher.terminate'

export type TerminateControl = { kind: typeof terminateKind; app: string; user: string }

export function terminateControl(app: string, user: string): TerminateControl {
  return { kind: terminateKind, app, user }
}

/** Reads a relayed message; undefined when its fields have the wrong types. */
export function readTerminateControl(message: { kind: string; [key: string]: unknown }): TerminateControl | undefined {
  if (message.kind !== terminateKind || typeof message.app !== 'string' || typeof message.user !== 'string') return undefined
  return { kind: terminateKind, app: message.app, user: message.user }
}
