import type { Sql } from '../store/sql/database';

export interface LiabilityLine {
  currency: string;
  status: string;
  cards: number;
  balance_minor: number;
  pending_minor: number;
}

export interface LiabilityReport {
  lines: LiabilityLine[];
  /** Per currency: the outstanding balance, and what the card postings of the ledger say it is. */
  totals: Array<{ currency: string; cards: number; balance_minor: number; pending_minor: number; ledger_minor: number; agrees: boolean }>;
}

/**
 * Value owed to card holders now: card balances by currency and status, checked against the ledger.
 * Cards of a batch still loading (booked, not yet usable) are their own line, status `loading`.
 */
export async function liabilityReport(q: Sql): Promise<LiabilityReport> {
  const rows = await q.all<{ currency: string; status: string; cards: number; balance: number; pending: number }>(
    `SELECT c.currency, CASE WHEN b.status IN ('loading', 'discarding') THEN 'loading' ELSE c.status END AS status,
            COUNT(*) AS cards, SUM(c.balance_minor) AS balance, SUM(c.pending_minor) AS pending
       FROM cards c LEFT JOIN batches b ON b.id = c.batch_id
      GROUP BY c.currency, CASE WHEN b.status IN ('loading', 'discarding') THEN 'loading' ELSE c.status END ORDER BY 1, 2`,
  );
  const ledger = await q.all<{ currency: string; total: number }>(
    'SELECT currency, SUM(amount_minor) AS total FROM postings WHERE card_id IS NOT NULL GROUP BY currency',
  );
  const lines = rows.map((r) => ({ currency: r.currency, status: r.status, cards: Number(r.cards), balance_minor: Number(r.balance), pending_minor: Number(r.pending) }));
  const currencies = [...new Set([...lines.map((l) => l.currency), ...ledger.map((l) => l.currency)])].sort();
  const totals = currencies.map((currency) => {
    const mine = lines.filter((l) => l.currency === currency);
    const balance_minor = mine.reduce((s, l) => s + l.balance_minor, 0);
    const ledger_minor = Number(ledger.find((l) => l.currency === currency)?.total ?? 0);
    return {
      currency, cards: mine.reduce((s, l) => s + l.cards, 0), balance_minor,
      pending_minor: mine.reduce((s, l) => s + l.pending_minor, 0), ledger_minor, agrees: ledger_minor === balance_minor,
    };
  });
  return { lines, totals };
}
