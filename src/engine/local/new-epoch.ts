import { randomBytes } from 'node:crypto'

/**
 * A fresh epoch: 8 random bytes, base64url (11 characters). Clients compare epochs for equality
 * only, so the value just has to differ from every earlier epoch of the channel.
 */
export function newEpoch(): string {
  return randomBytes(8).toString('base64url')
}
