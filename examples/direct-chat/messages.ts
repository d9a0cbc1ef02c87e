import { z } from 'zod'

/**
 * What a client may send. Anything else is answered with an `invalid_message` error. Unknown
 * fields are dropped: a `from` or `name` a client adds to a `direct` message never reaches anyone.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('register'),
    /** The id other clients address messages to; one connection per id. */
    id: z.string().min(1).max(64),
    /** Shown to recipients; the server stamps it on every message this client sends. */
    name: z.string().min(1).max(64),
  }),
  z.object({
    type: z.literal('direct'),
    to: z.string().min(1).max(64),
    message: z.string().max(4096),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  }),
])
export type ClientMessage = z.infer<typeof clientMessageSchema>

/** Stable error codes of the direct chat; clients switch on them, never on the text. */
export const DirectChatError = {
  /** The frame was not JSON text. */
  invalidJson: 'invalid_json',
  /** JSON, but not one of the client messages (or a binary frame). */
  invalidMessage: 'invalid_message',
  /** `direct` before `register`. */
  notRegistered: 'not_registered',
  /** This connection already registered. */
  alreadyRegistered: 'already_registered',
  /** Another connection holds the id. */
  idTaken: 'id_taken',
  /** Nobody is registered under `to`. */
  unknownRecipient: 'unknown_recipient',
} as const
export type DirectChatError = (typeof DirectChatError)[keyof typeof DirectChatError]

/** What the server sends. */
export type ServerMessage =
  | { type: 'registered'; id: string; name: string }
  | { type: 'direct'; from: string; name: string; message: string; color?: string }
  | { type: 'delivered'; to: string }
  | { type: 'left'; id: string; name: string }
  | { type: 'error'; code: DirectChatError; message: string }
