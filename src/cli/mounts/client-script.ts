/** `sprocket serve`'s route for the browser build of centrifuge-js. */
import { mountClientScript } from '../../http/client-script.js'
import type { HttpMountable } from '../../server/types.js'

/** `sprocket serve`'s hook for `mountClientScript`: `/client/centrifuge.js` and its source map. */
export function clientScriptMount({ app }: { app: HttpMountable }): void {
  mountClientScript(app)
}
