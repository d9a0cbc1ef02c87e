/** What a Pusher client sends, decoded: one union, switched on exhaustively by the session. */

/** The JSON text of a value the client sent (objects as they came, strings JSON-quoted). */
export type JsonText = string

export type ClientMessage =
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'subscribe'; channel: string; auth: string | undefined; channelData: string | undefined }
  | { type: 'unsubscribe'; channel: string }
  /** `user_data` is the exact JSON text the signature covers. */
  | { type: 'signin'; auth: string; userData: string }
  /** A `client-*` event: `data` is JSON text of what the client sent. */
  | { type: 'client-event'; event: string; channel: string; data: JsonText }
