/** The whole config schema, composed from each feature's own section schema. */
import { z } from 'zod'
import { engineOptionsSchema } from '../engine/options.js'
import { channelsOptionsSchema } from '../hub/options.js'
import { serverConfigShape } from './server-schema.js'
import { clientAuthOptionsSchema } from '../auth/client-auth-options.js'
import { apiOptionsSchema } from '../http/centrifuge-api/api-options.js'
import { chatOptionsSchema } from '../components/chat/chat-options.js'
import { centrifugeOptionsSchema } from '../components/centrifuge/options.js'
import { pusherOptionsSchema } from '../components/pusher/options.js'

/**
 * The whole config file, one entry per section. Each feature owns its section's schema in its
 * own folder and is composed here with one line; `.prefault({})` lets a section be omitted so
 * its own defaults apply. Unknown fields anywhere are errors, so typos fail fast.
 */
export const configSchema = z.strictObject({
  ...serverConfigShape,
  engine: engineOptionsSchema.prefault({}),
  channels: channelsOptionsSchema.prefault({}),
  client: clientAuthOptionsSchema.prefault({}),
  api: apiOptionsSchema.prefault({}),
  chat: chatOptionsSchema.prefault({}),
  centrifuge: centrifugeOptionsSchema.prefault({}),
  pusher: pusherOptionsSchema.prefault({}),
}).superRefine((config, context) => {
  if (config.shutdownDrainDelayMs !== undefined && config.shutdownDrainDelayMs >= config.shutdownTimeoutMs) {
    context.addIssue({
      code: 'custom',
      path: ['shutdownDrainDelayMs'],
      message: `must be less than shutdownTimeoutMs (${config.shutdownTimeoutMs}): the drain delay is part of the shutdown time`,
    })
  }
})

/** The configuration after defaults: what the rest of the program reads. */
export type Config = z.output<typeof configSchema>
/** What a config file may contain: every field optional. */
export type ConfigInput = z.input<typeof configSchema>

/** Top-level keys the schema knows; environment bindings for other sections are inert. */
export function configSections(): ReadonlySet<string> {
  return new Set(Object.keys(configSchema.shape))
}
