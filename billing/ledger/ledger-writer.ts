import type { Sql } from '../store/sql/database';
import { assert } from '../shared/errors';
import type { EntryKind, Posting } from './accounts';
import { isBalanced } from './accounts';

export interface NewEntry {
  kind: EntryKind;
  card_id: number | null;
  hold_id?: string | null;
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
  postings: readonly Posting[];
  /** The caller already moved these cards' cached balances (in one conditional UPDATE with its check). */
  balances_applied_for?: readonly number[];
}

const postingSql = new Map<number, string>();
function insertPostingsSql(n: number): string {
  let sql = postingSql.get(n);
  if (!sql) {
    sql = `INSERT INTO postings (entry_id, account, card_id, amount_minor, currency) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`;
    postingSql.set(n, sql);
  }
  return sql;
}

/**
 * Writes one balanced entry and moves the cached balance of every card it touches, in the
 * caller's transaction. The only function that writes postings or `cards.balance_minor`.
 */
export async function postEntry(q: Sql, now_ms: number, entry: NewEntry): Promise<number> {
  assert(isBalanced(entry.postings), `entry ${entry.kind} is not balanced`);
  const row = await q.one<{ id: number }>(
    'INSERT INTO ledger_entries (kind, card_id, hold_id, reference, reason, actor, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [entry.kind, entry.card_id, entry.hold_id ?? null, entry.reference ?? null, entry.reason ?? null, entry.actor ?? null, now_ms],
  );
  assert(row, 'ledger entry id');
  const params: Array<string | number | null> = [];
  for (const p of entry.postings) params.push(row.id, p.account, p.card_id, p.amount_minor, p.currency);
  await q.run(insertPostingsSql(entry.postings.length), params);
  for (const p of entry.postings) {
    if (p.card_id === null || entry.balances_applied_for?.includes(p.card_id)) continue;
    const r = await q.run('UPDATE cards SET balance_minor = balance_minor + ? WHERE id = ?', [p.amount_minor, p.card_id]);
    assert(r.changes === 1, `card ${p.card_id} exists for its posting`);
  }
  return row.id;
}
