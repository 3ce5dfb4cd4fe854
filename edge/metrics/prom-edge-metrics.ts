import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { EdgeMetrics } from './edge-metrics';

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** The edge's Prometheus metrics on the process registry (registered once, so a restarted edge reuses them). */
export function promEdgeMetrics(registry: Registry): EdgeMetrics {
  const attempts = reuse(registry, 'prepaid_edge_carrier_attempts_total', () => new Counter({
    name: 'prepaid_edge_carrier_attempts_total', help: 'Outbound attempts per carrier, by outcome and final SIP status ("" when none)',
    labelNames: ['carrier', 'outcome', 'status'] as const, registers: [registry],
  }));
  const carrierActive = reuse(registry, 'prepaid_edge_carrier_active_calls', () => new Gauge({
    name: 'prepaid_edge_carrier_active_calls', help: 'Outbound calls up, per carrier', labelNames: ['carrier'] as const, registers: [registry],
  }));
  const nodeAttempts = reuse(registry, 'prepaid_edge_node_attempts_total', () => new Counter({
    name: 'prepaid_edge_node_attempts_total', help: 'Inbound attempts per Asterisk node, by outcome and final SIP status',
    labelNames: ['node', 'outcome', 'status'] as const, registers: [registry],
  }));
  const nodeActive = reuse(registry, 'prepaid_edge_node_active_calls', () => new Gauge({
    name: 'prepaid_edge_node_active_calls', help: 'Inbound calls up, per Asterisk node', labelNames: ['node'] as const, registers: [registry],
  }));
  const nodeUp = reuse(registry, 'prepaid_edge_node_up', () => new Gauge({
    name: 'prepaid_edge_node_up', help: '1 while the node answers OPTIONS (in service), else 0', labelNames: ['node'] as const, registers: [registry],
  }));
  const refused = reuse(registry, 'prepaid_edge_refused_total', () => new Counter({
    name: 'prepaid_edge_refused_total', help: 'Requests the edge answered itself without connecting, by direction, reason and status',
    labelNames: ['direction', 'reason', 'status'] as const, registers: [registry],
  }));
  const routing = reuse(registry, 'prepaid_edge_routing_seconds', () => new Histogram({
    name: 'prepaid_edge_routing_seconds', help: 'Time to rank the carriers for an outbound call',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
  }));
  const connected = reuse(registry, 'prepaid_edge_drachtio_connected', () => new Gauge({
    name: 'prepaid_edge_drachtio_connected', help: '1 while the edge is connected to drachtio-server', registers: [registry],
  }));
  connected.set(0);
  return {
    carrierAttempt: (carrier, outcome, status) => attempts.inc({ carrier, outcome, status: status === null ? '' : String(status) }),
    carrierCall: (carrier, delta) => carrierActive.inc({ carrier }, delta),
    nodeAttempt: (node, outcome, status) => nodeAttempts.inc({ node, outcome, status: status === null ? '' : String(status) }),
    nodeCall: (node, delta) => nodeActive.inc({ node }, delta),
    nodeUp: (node, up) => nodeUp.set({ node }, up ? 1 : 0),
    refused: (direction, reason, status) => refused.inc({ direction, reason, status: String(status) }),
    routingSeconds: (s) => routing.observe(s),
    connected: (up) => connected.set(up ? 1 : 0),
  };
}
