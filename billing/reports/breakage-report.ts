import type { Sql } from '../store/sql/database';
import type { DayRange } from './report-range';
import { DAY_MS, dayStart } from './report-range';

export interface BreakageReport {
  /** Breakage booked in the period (value of expired cards taken to income), per day and currency. */
  booked: Array<{ day: string; currency: string; cards: number; amount_minor: number }>;
  /** Expired cards still holding value (booked by the next sweep). */
  unbooked: Array<{ currency: string; cards: number; amount_minor: number }>;
  /** Value on cards that will expire within `horizon_days`. */
  upcoming: Array<{ currency: string; cards: number; amount_minor: number }>;
  horizon_days: number;
}

export async function breakageReport(q: Sql, range: DayRange, now_ms: number, horizon_days: number): Promise<BreakageReport> {
  const booked = await q.all<{ day: number; currency: string; cards: number; amount: number }>(
    `SELECT e.created_at_ms / ${DAY_MS} AS day, p.currency, COUNT(*) AS cards, SUM(p.amount_minor) AS amount
       FROM ledger_entries e JOIN postings p ON p.entry_id = e.id
      WHERE e.kind = 'breakage' AND p.account = 'income:breakage' AND e.created_at_ms >= ? AND e.created_at_ms < ?
      GROUP BY e.created_at_ms / ${DAY_MS}, p.currency ORDER BY 1, 2`,
    [range.from_ms, range.to_ms],
  );
  const pending = (from: number | null, to: number) => q.all<{ currency: string; cards: number; amount: number }>(
    `SELECT currency, COUNT(*) AS cards, SUM(balance_minor) AS amount FROM cards
      WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ? ${from === null ? '' : 'AND expires_at_ms > ?'} AND balance_minor > 0 AND status <> 'closed'
      GROUP BY currency ORDER BY currency`,
    from === null ? [to] : [to, from],
  );
  const norm = (r: { currency: string; cards: number; amount: number }) => ({ currency: r.currency, cards: Number(r.cards), amount_minor: Number(r.amount) });
  return {
    booked: booked.map((r) => ({ day: dayStart(Number(r.day)), currency: r.currency, cards: Number(r.cards), amount_minor: Number(r.amount) })),
    unbooked: (await pending(null, now_ms)).map(norm),
    upcoming: (await pending(now_ms, now_ms + horizon_days * DAY_MS)).map(norm),
    horizon_days,
  };
}
