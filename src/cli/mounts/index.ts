/** The ordered list of features `sprocket serve` mounts on its `App`. */
import type { Mount } from '../serve-context.js'
import { centrifugeMount } from './centrifuge.js'
import { serverApiMount } from './centrifuge-api.js'
import { chatMount } from './chat.js'
import { clientScriptMount } from './client-script.js'
import { echoMount } from './echo.js'
import { healthMount } from './health.js'
import { hubMetricsMount } from './hub-metrics.js'
import { metricsMount } from './metrics.js'
import { pusherMount } from './pusher.js'
import { webStaticMount } from './web-static.js'

/**
 * Every feature `sprocket serve` mounts, in order: one line each. A feature's `Mount` (a function
 * of the `ServeContext`) lives in this folder and calls the feature's own library function.
 */
export const mounts: readonly Mount[] = [
  echoMount,
  healthMount,
  metricsMount,
  hubMetricsMount,
  serverApiMount,
  clientScriptMount,
  centrifugeMount,
  pusherMount,
  chatMount,
  webStaticMount,
]
