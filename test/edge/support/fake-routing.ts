import type { EdgeCarriers, EdgeRouting } from '../../../edge/edge-deps';
import type { Carrier, RouteAttempt, RouteCandidate, RouteRanking } from '../../../edge/routing-contract';

/**
 * An in-memory implementation of the routing contract (CONTRACT.md) for the edge's tests until branch
 * `carriers` lands: every enabled carrier whose prefix matches, in the configured order, with the contract's
 * dial_user rule (tech_prefix + '+' when send_plus + digits).
 */
export function carrier(id: number, name: string, sip_uri: string, over: Partial<Carrier> = {}): Carrier {
  return { id, name, sip_uri, transport: 'udp', tech_prefix: '', send_plus: false, max_concurrent: null, cps: null, sources: [], enabled: true, priority: 0, allow_loss: false, ...over };
}

export class FakeRouting implements EdgeRouting, EdgeCarriers {
  readonly attempts: RouteAttempt[] = [];
  readonly winners: Array<{ call_id: string; carrier_id: number }> = [];
  /** Set to make the next calls fail as an unreachable database would. */
  failRank = false;
  failWinner = false;
  rankCalls = 0;

  constructor(public carriers: Carrier[], public prefixes: Record<string, string[]> = {}) {}

  async list(): Promise<Carrier[]> {
    return this.carriers;
  }

  async rank(digits: string): Promise<RouteRanking> {
    this.rankCalls++;
    if (this.failRank) throw new Error('database unreachable');
    if (!/^\d{6,15}$/.test(digits)) return { ok: false, number: digits, reason: 'invalid_number', skipped: [] };
    const candidates: RouteCandidate[] = [];
    for (const c of this.carriers) {
      if (!c.enabled) continue;
      const prefix = (this.prefixes[c.name] ?? ['']).filter((p) => digits.startsWith(p)).sort((a, b) => b.length - a.length)[0];
      if (prefix === undefined) continue;
      candidates.push({
        order: candidates.length + 1, carrier: c, prefix,
        buy: { rate_per_minute_scaled: 100, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60 },
        sell_rate_per_minute_scaled: 200, margin_per_minute_scaled: 100,
        dial_user: `${c.tech_prefix}${c.send_plus ? '+' : ''}${digits}`,
      });
    }
    if (candidates.length === 0) return { ok: false, number: digits, reason: 'no_carrier', skipped: [] };
    return { ok: true, number: digits, sell_prefix: digits.slice(0, 2), currency: 'USD', candidates, skipped: [] };
  }

  async recordAttempt(a: RouteAttempt): Promise<void> {
    this.attempts.push(a);
  }

  async setCallCarrier(call_id: string, carrier_id: number): Promise<void> {
    if (this.failWinner) throw new Error('database unreachable');
    this.winners.push({ call_id, carrier_id });
  }
}
