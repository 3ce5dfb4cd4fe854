import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** What the gauges read on each scrape (AriTelephony.requestSlots). */
export interface RequestSlotSource {
  requestSlots(): { inFlight: number; queued: number; max: number };
}

const GAUGES = {
  prepaid_ari_requests_in_flight: { help: 'ARI REST requests sent and not yet answered (one HTTP connection each)', read: (s: RequestSlotSource) => s.requestSlots().inFlight },
  prepaid_ari_requests_queued: { help: 'ARI REST requests waiting for one of ARI_MAX_REQUESTS slots', read: (s: RequestSlotSource) => s.requestSlots().queued },
  prepaid_ari_requests_max: { help: 'ARI_MAX_REQUESTS: requests the IVR has out at once at most', read: (s: RequestSlotSource) => s.requestSlots().max },
} as const;

/**
 * The IVR's ARI request gauges, read from `source` at each scrape. A queue that stays above zero
 * means calls wait for Asterisk: raise ARI_MAX_REQUESTS with http.conf's sessionlimit. Registered
 * afresh for each IVR (a restarted IVR's gauges read its own adapter).
 */
export function promAriMetrics(registry: Registry, source: RequestSlotSource): void {
  for (const [name, g] of Object.entries(GAUGES)) {
    registry.removeSingleMetric(name);
    new Gauge({ name, help: g.help, registers: [registry], collect() { this.set(g.read(source)); } });
  }
}
