import type { Sql } from '../store/sql/database';
import type { DayRange } from './report-range';
import { DAY_MS, dayStart } from './report-range';

export interface SalesLine {
  day: string;
  currency: string;
  /** `issue` (card batches), `sale` (sold online), `recharge`. */
  kind: string;
  cards: number;
  amount_minor: number;
}

/** Value put on cards per UTC day, currency and kind: the card side of issue, sale and recharge entries. */
export async function salesReport(q: Sql, range: DayRange): Promise<SalesLine[]> {
  const rows = await q.all<{ day: number; currency: string; kind: string; cards: number; amount: number }>(
    `SELECT e.created_at_ms / ${DAY_MS} AS day, p.currency, e.kind, COUNT(*) AS cards, SUM(p.amount_minor) AS amount
       FROM ledger_entries e JOIN postings p ON p.entry_id = e.id
      WHERE e.kind IN ('issue', 'sale', 'recharge') AND p.card_id IS NOT NULL AND e.created_at_ms >= ? AND e.created_at_ms < ?
      GROUP BY e.created_at_ms / ${DAY_MS}, p.currency, e.kind
      ORDER BY 1, 2, 3`,
    [range.from_ms, range.to_ms],
  );
  return rows.map((r) => ({ day: dayStart(Number(r.day)), currency: r.currency, kind: r.kind, cards: Number(r.cards), amount_minor: Number(r.amount) }));
}
