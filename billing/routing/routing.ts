import { setCallCarrier } from '../calls/call-carrier';
import type { Database } from '../store/sql/database';
import { isE164Digits, rankRoutes } from './rank-routes';
import { recordAttempt } from './route-attempts';
import type { RouteAttempt, RouteLookup, RouteRanking } from './route-types';

/**
 * Least-cost routing as the SIP edge uses it (`billing.routing`): rank the carriers for a dialled
 * number, record each attempt, name the winner on the call record. The ranking policy is
 * rankRoutes (pure); `lookup` says where its facts come from (in-memory index or SQL).
 */
export class Routing {
  constructor(private readonly db: Database, private readonly lookup: RouteLookup & { warm?(): Promise<void> }) {}

  /** The ranking for `e164Digits` (digits without '+'). */
  async rank(e164Digits: string): Promise<RouteRanking> {
    if (!isE164Digits(e164Digits)) return { ok: false, number: e164Digits, reason: 'invalid_number', skipped: [] };
    return rankRoutes(e164Digits, await this.lookup.facts(e164Digits));
  }

  /** Loads what ranking needs ahead of the first call (no-op for SQL lookups). */
  async warm(): Promise<void> {
    await this.lookup.warm?.();
  }

  recordAttempt(a: RouteAttempt): Promise<void> {
    return this.db.tx((q) => recordAttempt(q, a));
  }

  /** The carrier that answered call `call_id`: snapshots its buy rate; the buy cost follows at settlement. */
  setCallCarrier(call_id: string, carrier_id: number): Promise<void> {
    return this.db.tx((q) => setCallCarrier(q, call_id, carrier_id));
  }
}
