/**
 * Pusher webhook events and their body: `{"time_ms", "events": [...]}`, signed by the sender
 * with `X-Pusher-Signature` = HMAC-SHA256(secret, body) and `X-Pusher-Key`.
 */

export const webhookEventNames = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event', 'cache_miss'] as const
export type WebhookEventName = (typeof webhookEventNames)[number]

export type WebhookEvent =
  | { name: 'channel_occupied' | 'channel_vacated' | 'cache_miss'; channel: string }
  | { name: 'member_added' | 'member_removed'; channel: string; user_id: string }
  | { name: 'client_event'; channel: string; event: string; data: string; socket_id: string; user_id?: string }

export function encodeWebhookBody(timeMs: number, events: readonly WebhookEvent[]): string {
  return JSON.stringify({ time_ms: timeMs, events })
}
