import type { Sql } from '../store/sql/database';
import type { Hold } from './hold';
import { lockedIds } from '../cards/card-lock';

export const HOLD_COLUMNS =
  'id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms';

/** With `lock`, its card's lock is taken first (billing/cards/card-lock.ts) and the hold is read FOR UPDATE: its newest version. */
export async function holdById(q: Sql, id: string, lock = false): Promise<Hold | undefined> {
  const where = lock && q.dialect === 'pg' ? lockedIds('SELECT id, card_id FROM holds WHERE id = ?', 'wait') : '?';
  return q.one<Hold>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE id = ${where}${lock ? q.forUpdate : ''}`, [id]);
}
