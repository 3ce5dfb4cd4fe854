import type { AttemptOutcome } from '../routing-contract';

/** What the edge counts (per carrier and per node); the Prometheus adapter is prom-edge-metrics.ts. */
export interface EdgeMetrics {
  carrierAttempt(carrier: string, outcome: AttemptOutcome, status: number | null): void;
  carrierCall(carrier: string, delta: 1 | -1): void;
  nodeAttempt(node: string, outcome: Exclude<AttemptOutcome, 'skipped_capacity'>, status: number | null): void;
  nodeCall(node: string, delta: 1 | -1): void;
  nodeUp(node: string, up: boolean): void;
  /** A request answered by the edge itself: why (unknown_source, over_cps, no_route, …) and how. */
  refused(direction: 'outbound' | 'inbound', reason: string, status: number): void;
  /** From the INVITE to the ranking (outbound). */
  routingSeconds(seconds: number): void;
  connected(up: boolean): void;
}

export const noMetrics: EdgeMetrics = {
  carrierAttempt() {}, carrierCall() {}, nodeAttempt() {}, nodeCall() {}, nodeUp() {}, refused() {}, routingSeconds() {}, connected() {},
};
