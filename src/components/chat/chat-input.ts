/** Schemas of what chat clients send (names, colours, messages): decoded once, here. */
import { z } from 'zod'
import { ErrorReason, PeerError } from '../../errors.js'
import { roomIdPattern, userIdPattern } from './chat-channels.js'

/** The colours a profile may take: calm, readable on white with white initials. */
export const profileColors = ['#3b6ea5', '#2f8f83', '#6a8f3a', '#b7791f', '#c05621', '#b83280', '#805ad5', '#4a5568', '#2b6cb0', '#9b2c2c'] as const

/**
 * Text shown as a name or title, made plain: compatibility forms folded (NFKC: fullwidth `Ａ` is
 * `A`), control characters turned to spaces, invisible format characters removed (zero-width
 * spaces, bidirectional overrides and isolates that make `evil\u202Egnp.exe` read otherwise; the
 * zero-width joiners some scripts and emoji need stay), runs of spaces collapsed. A name of
 * nothing but invisible characters is then empty and refused.
 */
export function plainText(value: string): string {
  return value
    .normalize('NFKC')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/(?![\u200c\u200d])\p{Cf}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
}

const text = (max: number) => z.string().transform(plainText).pipe(z.string().min(1).max(max))

export const displayName = text(40)

/** Input of every chat RPC method, decoded once at the boundary. */
export const chatInput = {
  profileGet: z.strictObject({ ids: z.array(z.string().max(64)).max(200).optional() }).prefault({}),
  profileUpdate: z.strictObject({
    name: displayName.optional(),
    color: z.enum(profileColors).optional(),
    initials: z
      .string()
      .transform((value) => value.trim().toUpperCase())
      .pipe(z.string().regex(/^[\p{L}\p{N}]{1,2}$/u))
      .optional(),
  }),
  usersSearch: z.strictObject({ query: z.string().max(40).default('') }).prefault({}),
  roomsCreate: z.strictObject({ title: text(40) }),
  roomRef: z.strictObject({ roomId: z.string().regex(roomIdPattern) }),
  dmOpen: z.strictObject({ userId: z.string().regex(userIdPattern) }),
  send: z.strictObject({
    channel: z.string().min(1).max(255),
    /** Size is checked in bytes by the service, so the limit can be configured. */
    text: z.string(),
    /** Client-chosen id of this message: a retried send with the same key is not published twice. */
    key: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  }),
  readMark: z.strictObject({
    channel: z.string().min(1).max(255),
    offset: z.number().int().nonnegative(),
    epoch: z.string().max(64),
  }),
} as const

/** Decodes `data` with `schema` or throws `PeerError(badRequest)`. */
export function decode<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const result = schema.safeParse(data ?? {})
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const where = issue === undefined || issue.path.length === 0 ? '' : ` (${issue.path.join('.')})`
  throw new PeerError(ErrorReason.badRequest, `bad request${where}`)
}
