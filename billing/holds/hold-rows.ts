import type { Sql } from '../store/sql/database';
import type { Hold } from './hold';

export const HOLD_COLUMNS =
  'id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms';

export async function holdById(q: Sql, id: string, lock = false): Promise<Hold | undefined> {
  return q.one<Hold>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE id = ?${lock ? q.forUpdate : ''}`, [id]);
}
