import type { Registry } from 'prom-client';
import type { Clock } from '../billing/shared/clock';
import type { Logger } from '../billing/shared/logger';
import type { EdgeConfig } from './edge-config';
import type { Carrier, RouteAttempt, RouteRanking } from './routing-contract';

/** What the edge needs of billing's least-cost routing (`billing.routing`, CONTRACT.md). */
export interface EdgeRouting {
  rank(e164Digits: string): Promise<RouteRanking>;
  recordAttempt(a: RouteAttempt): Promise<void>;
  setCallCarrier(call_id: string, carrier_id: number): Promise<void>;
}

/** What the edge needs of billing's carriers (`billing.carriers`): their inbound sources. */
export interface EdgeCarriers {
  list(): Promise<Carrier[]>;
}

/** The narrow dependencies of the SIP edge, built by the composition root. */
export interface EdgeDeps {
  routing: EdgeRouting;
  carriers: EdgeCarriers;
  clock: Clock;
  logger: Logger;
  /** The process's Prometheus registry (deps.metrics). */
  metrics: Registry;
  config: EdgeConfig;
}
