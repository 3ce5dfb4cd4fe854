import type { Sql } from '../store/sql/database';
import type { DayRange } from './report-range';

export type MarginGrouping = 'carrier' | 'destination';

/**
 * One carrier's (or destination's) calls in one currency. Calls are the ANSWERED calls carried by a
 * carrier that started in the period; revenue is what the cards paid (the call's cost), cost the
 * carrier's buy cost, margin = revenue − cost. ASR = answered attempts / attempts (every carrier
 * tried counts once; capacity skips are not attempts); ACD = talk time / answered calls.
 */
export interface MarginLine {
  key: string;
  currency: string | null;
  calls: number;
  talk_ms: number;
  billed_seconds: number;
  revenue_minor: number;
  cost_minor: number;
  margin_minor: number;
  /** Calls whose carrier had no buy rate for the destination when it answered: cost unknown (not in cost_minor). */
  uncosted_calls: number;
  attempts: number;
  answered_attempts: number;
  asr: number | null;
  acd_s: number | null;
}

export interface MarginTotal { currency: string; calls: number; talk_ms: number; revenue_minor: number; cost_minor: number; margin_minor: number; uncosted_calls: number; acd_s: number | null }

export interface MarginReport {
  by: MarginGrouping;
  lines: MarginLine[];
  totals: MarginTotal[];
  attempts: { attempts: number; answered_attempts: number; asr: number | null };
  /** Answered calls in the period that no carrier is named on (e.g. a direct trunk): not in the lines. */
  without_carrier: Array<{ currency: string; calls: number; revenue_minor: number }>;
}

interface CallAgg { k: string; currency: string; calls: number; talk_ms: number | null; billed: number | null; revenue: number | null; cost: number | null; uncosted: number }
interface AttemptAgg { k: string; attempts: number; answered: number }

const ratio = (n: number, d: number, digits: number): number | null => (d > 0 ? Math.round((n / d) * 10 ** digits) / 10 ** digits : null);

const ANSWERED_IN_RANGE = "c.status = 'completed' AND c.answered_at_ms IS NOT NULL AND c.started_at_ms >= ? AND c.started_at_ms < ?";

export async function marginReport(q: Sql, range: DayRange, by: MarginGrouping): Promise<MarginReport> {
  const callKey = by === 'carrier' ? 'cr.name' : "COALESCE(c.destination_name, 'unknown')";
  const calls = await q.all<CallAgg>(
    `SELECT ${callKey} AS k, c.currency, COUNT(*) AS calls, SUM(c.talk_ms) AS talk_ms, SUM(c.billed_seconds) AS billed, SUM(c.cost_minor) AS revenue,
            SUM(c.buy_cost_minor) AS cost, SUM(CASE WHEN c.buy_cost_minor IS NULL THEN 1 ELSE 0 END) AS uncosted
       FROM call_records c JOIN carriers cr ON cr.id = c.carrier_id
      WHERE ${ANSWERED_IN_RANGE}
      GROUP BY ${callKey}, c.currency`,
    [range.from_ms, range.to_ms],
  );
  const attemptKey = by === 'carrier' ? 'cr.name' : "COALESCE(c.destination_name, 'unknown')";
  const attempts = await q.all<AttemptAgg>(
    `SELECT ${attemptKey} AS k, COUNT(*) AS attempts, SUM(CASE WHEN a.outcome = 'answered' THEN 1 ELSE 0 END) AS answered
       FROM route_attempts a JOIN carriers cr ON cr.id = a.carrier_id LEFT JOIN call_records c ON c.id = a.call_id
      WHERE a.outcome <> 'skipped_capacity' AND a.started_at_ms >= ? AND a.started_at_ms < ?
      GROUP BY ${attemptKey}`,
    [range.from_ms, range.to_ms],
  );
  const without = await q.all<{ currency: string | null; calls: number; revenue: number | null }>(
    `SELECT c.currency, COUNT(*) AS calls, SUM(c.cost_minor) AS revenue FROM call_records c WHERE c.carrier_id IS NULL AND ${ANSWERED_IN_RANGE} GROUP BY c.currency ORDER BY 1`,
    [range.from_ms, range.to_ms],
  );

  const attemptsOf = new Map(attempts.map((a) => [a.k, { attempts: Number(a.attempts), answered: Number(a.answered ?? 0) }]));
  const lines: MarginLine[] = calls.map((c) => {
    const a = attemptsOf.get(c.k) ?? { attempts: 0, answered: 0 };
    const n = Number(c.calls);
    const talk_ms = Number(c.talk_ms ?? 0);
    const revenue_minor = Number(c.revenue ?? 0);
    const cost_minor = Number(c.cost ?? 0);
    return {
      key: c.k, currency: c.currency, calls: n, talk_ms, billed_seconds: Number(c.billed ?? 0), revenue_minor, cost_minor, margin_minor: revenue_minor - cost_minor,
      uncosted_calls: Number(c.uncosted), attempts: a.attempts, answered_attempts: a.answered, asr: ratio(a.answered, a.attempts, 4), acd_s: ratio(talk_ms / 1000, n, 1),
    };
  });
  // Tried but never answered in the period: attempts only.
  const withCalls = new Set(calls.map((c) => c.k));
  for (const [k, a] of attemptsOf) {
    if (withCalls.has(k)) continue;
    lines.push({ key: k, currency: null, calls: 0, talk_ms: 0, billed_seconds: 0, revenue_minor: 0, cost_minor: 0, margin_minor: 0, uncosted_calls: 0, attempts: a.attempts, answered_attempts: a.answered, asr: ratio(a.answered, a.attempts, 4), acd_s: null });
  }
  lines.sort((x, y) => y.revenue_minor - x.revenue_minor || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0) || String(x.currency).localeCompare(String(y.currency)));

  const totals = new Map<string, MarginTotal>();
  for (const l of lines) {
    if (l.currency === null) continue;
    const t = totals.get(l.currency) ?? { currency: l.currency, calls: 0, talk_ms: 0, revenue_minor: 0, cost_minor: 0, margin_minor: 0, uncosted_calls: 0, acd_s: null };
    t.calls += l.calls;
    t.talk_ms += l.talk_ms;
    t.revenue_minor += l.revenue_minor;
    t.cost_minor += l.cost_minor;
    t.margin_minor += l.margin_minor;
    t.uncosted_calls += l.uncosted_calls;
    t.acd_s = ratio(t.talk_ms / 1000, t.calls, 1);
    totals.set(l.currency, t);
  }
  const allAttempts = attempts.reduce((n, a) => n + Number(a.attempts), 0);
  const allAnswered = attempts.reduce((n, a) => n + Number(a.answered ?? 0), 0);
  return {
    by,
    lines,
    totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    attempts: { attempts: allAttempts, answered_attempts: allAnswered, asr: ratio(allAnswered, allAttempts, 4) },
    without_carrier: without.map((w) => ({ currency: w.currency ?? '', calls: Number(w.calls), revenue_minor: Number(w.revenue ?? 0) })),
  };
}
