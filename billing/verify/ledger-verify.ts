import type { Sql } from '../store/sql/database';

export interface Violation {
  check: string;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  checked: { entries: number; postings: number; cards: number; holds: number };
  violations: Violation[];
}

const LIMIT = 50;

/**
 * Recomputes the books: every entry sums to zero per currency and has ≥ 2 postings; every card's
 * cached balance equals the sum of its postings and its cached pending equals its pending holds;
 * available ≥ 0; every hold is consistent with its capture and refund entries.
 */
export async function verifyLedger(q: Sql): Promise<VerifyReport> {
  const violations: Violation[] = [];
  const add = (check: string, rows: Array<Record<string, unknown>>, fmt: (r: Record<string, unknown>) => string) => {
    for (const r of rows.slice(0, LIMIT)) violations.push({ check, detail: fmt(r) });
  };

  add('entry sums to zero', await q.all(
    `SELECT entry_id, currency, SUM(amount_minor) AS total FROM postings GROUP BY entry_id, currency HAVING SUM(amount_minor) <> 0 LIMIT ${LIMIT}`,
  ), (r) => `entry ${r.entry_id} sums to ${r.total} ${r.currency}`);

  add('entry has postings', await q.all(
    `SELECT e.id, COUNT(p.id) AS n FROM ledger_entries e LEFT JOIN postings p ON p.entry_id = e.id GROUP BY e.id HAVING COUNT(p.id) < 2 LIMIT ${LIMIT}`,
  ), (r) => `entry ${r.id} has ${r.n} posting(s)`);

  add('card posting account', await q.all(
    `SELECT id, account, card_id FROM postings WHERE (card_id IS NOT NULL AND account <> ('card:' || card_id)) OR (card_id IS NULL AND account LIKE 'card:%') LIMIT ${LIMIT}`,
  ), (r) => `posting ${r.id} on ${r.account} has card_id ${r.card_id}`);

  add('cached balance', await q.all(
    `SELECT c.id, c.balance_minor, COALESCE(p.total, 0) AS derived FROM cards c
       LEFT JOIN (SELECT card_id, SUM(amount_minor) AS total FROM postings WHERE card_id IS NOT NULL GROUP BY card_id) p ON p.card_id = c.id
     WHERE c.balance_minor <> COALESCE(p.total, 0) LIMIT ${LIMIT}`,
  ), (r) => `card ${r.id}: cached balance ${r.balance_minor}, postings say ${r.derived}`);

  add('cached pending', await q.all(
    `SELECT c.id, c.pending_minor, COALESCE(h.total, 0) AS derived FROM cards c
       LEFT JOIN (SELECT card_id, SUM(amount_minor) AS total FROM holds WHERE status = 'pending' GROUP BY card_id) h ON h.card_id = c.id
     WHERE c.pending_minor <> COALESCE(h.total, 0) LIMIT ${LIMIT}`,
  ), (r) => `card ${r.id}: cached pending ${r.pending_minor}, pending holds say ${r.derived}`);

  add('available not negative', await q.all(
    `SELECT id, balance_minor, pending_minor FROM cards WHERE balance_minor < 0 OR pending_minor < 0 OR balance_minor < pending_minor LIMIT ${LIMIT}`,
  ), (r) => `card ${r.id}: balance ${r.balance_minor}, pending ${r.pending_minor}`);

  add('hold captured amount', await q.all(
    `SELECT h.id, h.status, h.captured_minor, COALESCE(x.total, 0) AS posted FROM holds h
       LEFT JOIN (SELECT e.hold_id, -SUM(p.amount_minor) AS total FROM ledger_entries e JOIN postings p ON p.entry_id = e.id
                  WHERE e.kind IN ('capture', 'call_charge') AND p.card_id IS NOT NULL GROUP BY e.hold_id) x ON x.hold_id = h.id
     WHERE h.captured_minor <> COALESCE(x.total, 0) OR (h.status <> 'captured' AND h.captured_minor <> 0) LIMIT ${LIMIT}`,
  ), (r) => `hold ${r.id} (${r.status}): captured ${r.captured_minor}, ledger says ${r.posted}`);

  add('hold refunded amount', await q.all(
    `SELECT h.id, h.refunded_minor, COALESCE(x.total, 0) AS refunded FROM holds h
       LEFT JOIN (SELECT hold_id, SUM(amount_minor) AS total FROM refunds GROUP BY hold_id) x ON x.hold_id = h.id
     WHERE h.refunded_minor <> COALESCE(x.total, 0) OR h.refunded_minor > h.captured_minor LIMIT ${LIMIT}`,
  ), (r) => `hold ${r.id}: refunded ${r.refunded_minor}, refunds say ${r.refunded}`);

  const count = async (table: string) => (await q.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0;
  const checked = {
    entries: Number(await count('ledger_entries')),
    postings: Number(await count('postings')),
    cards: Number(await count('cards')),
    holds: Number(await count('holds')),
  };
  return { ok: violations.length === 0, checked, violations };
}
