/** Request bodies of the server API methods, decoded once at the boundary. */
import { z } from 'zod'
import { ErrorReason, PeerError } from '../../errors.js'

/**
 * Request bodies of the server API methods, Centrifugo's field names. Decoded once, here; unknown
 * fields are ignored (as Centrifugo does), wrong types and missing required fields are 107.
 * Options Sprocket does not implement are accepted by the schema and refused with 108 by the
 * executor, never silently dropped.
 */

const channel = z.string().min(1, 'required')
const user = z.string().min(1, 'required')
/** Any JSON value: present, possibly null. */
const jsonValue = z.unknown().refine((value) => value !== undefined, 'required')
const tags = z.record(z.string(), z.string())
const position = z.strictObject({ offset: z.number().int().nonnegative(), epoch: z.string() })

const publishOptions = {
  data: jsonValue,
  b64data: z.string().optional(),
  skip_history: z.boolean().optional(),
  tags: tags.optional(),
  idempotency_key: z.string().optional(),
  delta: z.boolean().optional(),
  version: z.number().int().nonnegative().optional(),
  version_epoch: z.string().optional(),
}

const requestSchemas = {
  publish: z.looseObject({ channel, ...publishOptions }),
  broadcast: z.looseObject({ channels: z.array(z.string()).min(1, 'required'), ...publishOptions }),
  subscribe: z.looseObject({
    user,
    channel,
    client: z.string().optional(),
    session: z.string().optional(),
    info: z.unknown().optional(),
    b64info: z.string().optional(),
    data: z.unknown().optional(),
    b64data: z.string().optional(),
    recover_since: position.optional(),
    expire_at: z.number().int().nonnegative().optional(),
    override: z.record(z.string(), z.unknown()).optional(),
  }),
  unsubscribe: z.looseObject({ user, channel, client: z.string().optional(), session: z.string().optional() }),
  disconnect: z.looseObject({
    user,
    client: z.string().optional(),
    session: z.string().optional(),
    whitelist: z.array(z.string()).optional(),
    disconnect: z
      .strictObject({
        code: z.number().int().min(3000).max(4999),
        reason: z.string().refine((reason) => Buffer.byteLength(reason) <= 123, 'longer than 123 bytes'),
      })
      .optional(),
  }),
  refresh: z.looseObject({
    user,
    client: z.string().optional(),
    session: z.string().optional(),
    expired: z.boolean().optional(),
    expire_at: z.number().int().nonnegative().optional(),
    info: z.unknown().optional(),
  }),
  presence: z.looseObject({ channel }),
  presence_stats: z.looseObject({ channel }),
  history: z
    .looseObject({
      channel,
      limit: z.number().int().min(-1).optional(),
      since: position.optional(),
      reverse: z.boolean().optional(),
    })
    // Reverse pages backwards from `since` (offsets below it): from offset 0 there is nothing to page.
    .refine((body) => !(body.reverse === true && body.since?.offset === 0), {
      path: ['since', 'offset'],
      message: 'must be above 0 with reverse',
    }),
  history_remove: z.looseObject({ channel }),
  channels: z.looseObject({ pattern: z.string().optional() }),
  info: z.looseObject({}),
  batch: z.looseObject({
    commands: z.array(z.record(z.string(), z.unknown())),
    parallel: z.boolean().optional(),
  }),
} as const

export type ApiMethod = keyof typeof requestSchemas
export type ApiRequest<M extends ApiMethod> = z.output<(typeof requestSchemas)[M]>

export function isApiMethod(name: string): name is ApiMethod {
  return Object.hasOwn(requestSchemas, name)
}

/** Validates a method's body; the first bad field becomes a 107 whose message names it. */
export function parseRequest<M extends ApiMethod>(method: M, body: unknown): ApiRequest<M> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PeerError(ErrorReason.badRequest, 'request body must be a JSON object')
  }
  const result = requestSchemas[method].safeParse(body)
  if (result.success) return result.data as ApiRequest<M>
  const issue = result.error.issues[0]
  const field = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.')
  const missing = issue !== undefined && issue.path.length > 0 && valueAt(body, issue.path) === undefined
  const reason = missing ? 'required' : (issue?.message ?? 'invalid')
  throw new PeerError(ErrorReason.badRequest, `${field}: ${reason}`)
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}
