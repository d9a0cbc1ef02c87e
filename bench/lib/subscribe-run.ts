import { coresBetween, type CpuSample, type ServerChild } from './child.js'
import { runLoadgen, type SubscribeResult } from './loadgen.js'
import type { PublishPlan, PublishStats } from './publisher.js'
import { sleep, waitFor } from './report.js'

/** One measured run of a fan-out style bench: loadgen subscribers + the server's publisher loop. */
export type SubscribeRun = SubscribeResult & {
  side: string
  inFlight: number
  publish: PublishStats
  serverCores: number
}

export type SubscribeRunOptions = {
  path: string
  subscribers: number
  plan: PublishPlan
  threads: number
  /** Extra loadgen arguments (`--init`, `--reply`, …). */
  loadgenArgs?: readonly string[]
}

/**
 * Opens `subscribers` loadgen connections, waits until the server counts them all as subscribed,
 * runs the server's publisher loop (the loadgen reports completed publications to it over UDP),
 * then stops the loadgen and returns both sides' figures. Works with any child that offers the
 * `notifyPort`, `subscribers` and `publish` commands.
 */
export async function subscribeRun(server: ServerChild, options: SubscribeRunOptions): Promise<SubscribeRun> {
  const notifyPort = await server.call<number>('notifyPort')
  const run = runLoadgen<SubscribeResult>([
    'subscribe', '--port', String(server.port), '--path', options.path,
    '--conns', String(options.subscribers), '--threads', String(options.threads),
    '--notify-port', String(notifyPort), '--max-seconds', String(options.plan.durationMs / 1000 + 120),
    ...(options.loadgenArgs ?? []),
  ])
  try {
    const ready = await run.ready
    if (ready.opened !== options.subscribers) throw new Error(`${server.name}: only ${ready.opened} of ${options.subscribers} connections opened`)
    const subscribed = await waitFor(async () => (await server.call<number>('subscribers')) >= ready.opened, 60_000)
    if (!subscribed) throw new Error(`${server.name}: subscribers did not all subscribe`)
    await sleep(300)
    const before = await server.call<CpuSample>('cpu')
    const publish = await server.call<PublishStats>('publish', options.plan)
    const after = await server.call<CpuSample>('cpu')
    await sleep(200)
    run.stop()
    const result = await run.result
    await waitFor(async () => (await server.call<number>('connections')) === 0, 30_000)
    return { ...result, side: server.name, inFlight: options.plan.inFlight, publish, serverCores: coresBetween(before, after) }
  } catch (error) {
    run.stop()
    await run.result.catch(() => {})
    throw error
  }
}
