import { mountEcho, mountHealthRoutes, mountMetricsRoute } from './builtin-mounts.js'
import type { Mount } from './serve-context.js'
import { serverApiMount } from '../http/centrifuge-api/server-api.js'
import { clientScriptMount } from '../http/client-script.js'
import { webStaticMount } from '../http/web-static.js'
import { centrifugeMount } from '../components/centrifuge/centrifuge-mount.js'
import { chatMount } from '../components/chat/chat-mount.js'

/**
 * Every feature `sprocket serve` mounts, in order: one line each. A feature exports its own
 * `Mount` (a function of the `ServeContext`) and is listed here.
 */
export const mounts: readonly Mount[] = [
  mountEcho,
  mountHealthRoutes,
  mountMetricsRoute,
  serverApiMount,
  clientScriptMount,
  centrifugeMount,
  chatMount,
  webStaticMount,
]
