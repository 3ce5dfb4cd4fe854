import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { CallMetrics, CallOutcome } from './calls/call-metrics';

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** The IVR's Prometheus metrics (registered once per registry, so a restarted IVR reuses them). */
export function promCallMetrics(registry: Registry): CallMetrics {
  const active = reuse(registry, 'prepaid_ivr_active_sessions', () => new Gauge({ name: 'prepaid_ivr_active_sessions', help: 'Inbound calls being handled by the IVR', registers: [registry] }));
  const billedMinutes = reuse(registry, 'prepaid_ivr_billed_minutes_total', () => new Counter({ name: 'prepaid_ivr_billed_minutes_total', help: 'Billed minutes of outbound calls', registers: [registry] }));
  const cutoffs = reuse(registry, 'prepaid_ivr_cutoffs_total', () => new Counter({ name: 'prepaid_ivr_cutoffs_total', help: 'Calls cut off because the money ran out', registers: [registry] }));
  const outcomes = reuse(registry, 'prepaid_ivr_call_outcomes_total', () => new Counter({ name: 'prepaid_ivr_call_outcomes_total', help: 'Outbound calls by outcome', labelNames: ['outcome'], registers: [registry] }));
  return {
    sessionStarted: () => active.inc(),
    sessionEnded: () => active.dec(),
    callEnded(outcome: CallOutcome, billed_s: number) {
      outcomes.inc({ outcome });
      if (billed_s > 0) billedMinutes.inc(billed_s / 60);
      if (outcome === 'cut_off') cutoffs.inc();
    },
  };
}
