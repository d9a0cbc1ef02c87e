/** `sprocket serve`'s route for the chat page (`web/`). */
import { createWebStatic } from '../../http/web-static.js'
import type { HttpMountable } from '../../server/types.js'

/** What `webStaticMount` needs of `sprocket serve`'s context. */
export type WebStaticMountContext = {
  app: HttpMountable
  config: { chat: { enabled: boolean } }
}

/**
 * `sprocket serve`'s hook: the chat page (`web/`) at `/` while the chat is enabled. Listed after
 * `chatMount`; `/*` is the shortest prefix, so it never shadows another route.
 */
export function webStaticMount({ app, config }: WebStaticMountContext): void {
  if (config.chat.enabled) app.mount('/*', createWebStatic())
}
