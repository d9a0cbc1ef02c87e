/**
 * The hub's counters as Prometheus metrics, read from `HubApi.stats()` when scraped, so the
 * publish and fan-out paths only bump plain numbers.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { HubApi, HubStats } from '../hub/index.js'

/** A counter that follows one of the hub's own counters: each scrape adds what it grew by. */
function followingCounter(registry: Registry, name: string, help: string, read: (stats: HubStats) => number, stats: () => HubStats): void {
  let reported = 0
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read(stats())
      if (now > reported) this.inc(now - reported)
      reported = now
    },
  })
}

/** Registers the hub's metrics (`sprocket_hub_*`) on `registry`. */
export function registerHubMetrics(registry: Registry, hub: Pick<HubApi, 'stats'>): void {
  // One `stats()` (O(channels)) per scrape, not one per metric: kept until the scrape's turn ends.
  let scraped: HubStats | undefined
  const stats = (): HubStats => {
    if (scraped === undefined) {
      scraped = hub.stats()
      setImmediate(() => {
        scraped = undefined
      })
    }
    return scraped
  }
  new Gauge({ name: 'sprocket_hub_subscriptions', help: 'Channel subscriptions on this node', registers: [registry], collect() { this.set(stats().subscriptions) } })
  new Gauge({ name: 'sprocket_hub_channels', help: 'Channels with subscribers on this node', registers: [registry], collect() { this.set(stats().channels) } })
  followingCounter(registry, 'sprocket_hub_publishes_total', 'Publishes through the hub (clients, server API, applications)', (s) => s.publishes, stats)
  followingCounter(registry, 'sprocket_hub_publishes_failed_total', 'Publishes refused (policy, limits) or failed (engine unavailable)', (s) => s.publishesFailed, stats)
  followingCounter(registry, 'sprocket_engine_publish_seconds_total', 'Seconds spent in the engine publishing, over successful publishes: divide its rate by the rate of successful publishes for the mean latency', (s) => s.engineSecondsPublishing, stats)
  followingCounter(registry, 'sprocket_hub_publications_fanned_out_total', 'Publications delivered to subscribers on this node', (s) => s.publicationsFannedOut, stats)
  followingCounter(registry, 'sprocket_hub_deliveries_total', 'Frames handed to subscribers on this node (one per subscriber per event)', (s) => s.deliveries, stats)
  followingCounter(registry, 'sprocket_hub_streams_lost_total', 'Subscribers told their stream had a gap (they resubscribe and recover)', (s) => s.streamsLost, stats)
}
