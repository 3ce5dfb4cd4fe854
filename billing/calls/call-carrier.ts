import { carrierDeckName } from '../carriers/carrier-deck';
import { carrierById } from '../carriers/carrier-store';
import type { Rate } from '../rating/rate';
import { rateCall } from '../rating/rate';
import { lookupRate } from '../rating/rate-store';
import { BillingError } from '../shared/errors';
import type { Sql } from '../store/sql/database';

/**
 * The call's buy side. The winning carrier is set when it answers (by the SIP edge); its buy rate
 * for the call's destination is snapshotted then, like the sell rate at dial time. The buy cost is
 * that rate applied — with the CARRIER's increments and minimum — to the billed talk time, once the
 * call is settled. Either may come first (two processes): whichever runs second computes the cost.
 */
export async function setCallCarrier(q: Sql, call_id: string, carrier_id: number): Promise<void> {
  const call = await q.one<{ destination: string | null }>(`SELECT destination FROM call_records WHERE id = ?${q.forUpdate}`, [call_id]);
  if (!call) throw new BillingError('not_found', `no call record ${call_id}`);
  if (!(await carrierById(q, carrier_id))) throw new BillingError('not_found', `no carrier with id ${carrier_id}`);
  const buy = call.destination ? await lookupRate(q, call.destination, carrierDeckName(carrier_id)) : undefined;
  const snapshot = buy && {
    prefix: buy.prefix, destination: buy.destination, rate_per_minute_scaled: buy.rate_per_minute_scaled, connect_fee_minor: buy.connect_fee_minor,
    initial_increment_s: buy.initial_increment_s, increment_s: buy.increment_s, min_charge_minor: buy.min_charge_minor, blocked: buy.blocked,
    currency: buy.currency, deck_id: buy.deck_id,
  };
  await q.run('UPDATE call_records SET carrier_id = ?, buy_rate_json = ? WHERE id = ?', [carrier_id, snapshot ? JSON.stringify(snapshot) : null, call_id]);
  await settleBuyCost(q, call_id);
}

/** Computes the buy cost of a settled call that has a carrier and a buy rate (no-op otherwise; idempotent: a later, truer talk time recomputes it). */
export async function settleBuyCost(q: Sql, call_id: string): Promise<void> {
  const r = await q.one<{ status: string; talk_ms: number | null; answered_at_ms: number | null; buy_rate_json: string | null }>(
    'SELECT status, talk_ms, answered_at_ms, buy_rate_json FROM call_records WHERE id = ?', [call_id]);
  if (!r || r.status === 'active') return;
  const buy = buyCost(r.buy_rate_json, r.talk_ms, r.answered_at_ms);
  if (buy) await q.run('UPDATE call_records SET buy_billed_seconds = ?, buy_cost_minor = ? WHERE id = ?', [buy.billed_s, buy.cost_minor, call_id]);
}

/** A closed call's buy side from its carrier's rate snapshot and billed talk time; null when it has no carrier rate, or its talk time is unknown. */
export function buyCost(buy_rate_json: string | null, talk_ms: number | null, answered_at_ms: number | null): { billed_s: number; cost_minor: number } | null {
  if (!buy_rate_json) return null;
  // Closed without its talk time (by code older than this column): the cost is unknown, not zero.
  if (talk_ms === null && answered_at_ms !== null) return null;
  return rateCall(JSON.parse(buy_rate_json) as Rate, Number(talk_ms ?? 0) / 1000);
}
