import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Billing } from '../billing';
import type { Logger } from '../shared/logger';

/** The settlement API's Prometheus metrics, registered on the process registry (deps.metrics). */
export interface ApiMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route' | 'status'>;
  authorizations: Counter<'outcome'>;
}

export function createApiMetrics(registry: Registry, billing: Billing, logger: Logger): ApiMetrics {
  const requests = new Counter({
    name: 'http_requests_total', help: 'HTTP requests answered by the settlement API, by route and status.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds', help: 'Settlement API request latency, by route and status.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const authorizations = new Counter({
    name: 'settlement_authorizations_total', help: 'POST /v1/authorizations outcomes: `ok` or the error code.',
    labelNames: ['outcome'] as const, registers: [registry],
  });
  // Read from the database on scrape, so every process reports the shared truth. Both gauges are
  // collected concurrently by prom-client: they share one query per scrape.
  type Row = { kind: string; currency: string; n: number; total: number };
  let inflight: Promise<Row[] | null> | undefined;
  const snapshot = (): Promise<Row[] | null> => {
    inflight ??= billing.read().q.all<Row>(
      "SELECT kind, currency, COUNT(*) AS n, SUM(amount_minor) AS total FROM holds WHERE status = 'pending' GROUP BY kind, currency",
    ).catch((err: unknown) => { logger.warn('pending holds metric failed', { err }); return null; })
      .finally(() => { setImmediate(() => { inflight = undefined; }); });
    return inflight;
  };
  new Gauge({
    name: 'billing_pending_holds', help: 'Pending holds (merchant authorizations and call chunks), by kind.',
    labelNames: ['kind'] as const, registers: [registry],
    async collect() {
      const rows = await snapshot();
      if (!rows) return;
      const byKind = new Map<string, number>([['merchant', 0], ['call', 0]]);
      for (const r of rows) byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + Number(r.n));
      this.reset();
      for (const [kind, n] of byKind) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'billing_pending_holds_amount_minor', help: 'Money held by pending holds, in minor units, by kind and currency.',
    labelNames: ['kind', 'currency'] as const, registers: [registry],
    async collect() {
      const rows = await snapshot();
      if (!rows) return;
      this.reset();
      for (const r of rows) this.set({ kind: r.kind, currency: r.currency }, Number(r.total));
    },
  });
  return { requests, latency, authorizations };
}
