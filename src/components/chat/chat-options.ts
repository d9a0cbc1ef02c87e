/** The `chat` config section. */
import { z } from 'zod'

const positiveInt = () => z.number().int().positive()

/**
 * The `chat` config section: the chat app served at `/`. Every default is listed in
 * docs/chat.md; keep the two in step.
 */
export const chatOptionsSchema = z.strictObject({
  /** Serve the chat page at `/` and mount its routes and RPC methods. */
  enabled: z.boolean().default(true),
  /**
   * Demo sign-in: `POST /chat/signin {name}` creates a user and returns a signed connection token.
   * Unset: on only in demo mode (no key in the `client` section, see `chatDemoSignIn`); in
   * production the site's backend mints the tokens.
   */
  demoSignIn: z.boolean().optional(),
  /** Production sign-in: a URL on the site that returns `{ token }`, fetched with credentials. */
  tokenUrl: z.string().min(1).optional(),
  /** Lifetime of a demo connection token. */
  demoTokenTtlSeconds: positiveInt().default(30 * 24 * 3600),
  /** Longest message text, in UTF-8 bytes. */
  maxMessageBytes: positiveInt().max(65_536).default(4000),
  /** Messages one user may send per `rateWindowMs` (all their tabs together). */
  maxMessagesPerWindow: positiveInt().default(10),
  /**
   * Profile updates, room joins and leaves, new direct chats and user searches one user may make
   * per `rateWindowMs` (all their tabs together): each publishes to others or searches the store.
   */
  maxUpdatesPerWindow: positiveInt().default(20),
  rateWindowMs: positiveInt().default(10_000),
  /** Rooms one user may create per hour. */
  maxRoomsPerHour: positiveInt().default(20),
  /** Demo sign-ins accepted from one address per hour. */
  maxSignInsPerHour: positiveInt().default(30),
  /** Publications kept per room and per DM. */
  historySize: positiveInt().default(1000),
  historyTtlMs: positiveInt().default(30 * 24 * 3600 * 1000),
  /** Room created at start when none exists; every new user joins it. '' for none. */
  defaultRoom: z.string().default('general'),
})

/** The `chat` section after defaults. */
export type ChatOptions = z.output<typeof chatOptionsSchema>
