import type { Sql } from '../store/sql/database';
import type { Card } from './card';

export const CARD_COLUMNS =
  'id, serial, last4, batch_id, currency, status, expiry_kind, expiry_days, expires_at_ms, activated_at_ms, first_used_at_ms, created_at_ms, balance_minor, pending_minor, pin_failures, locked_until_ms, pin_lockouts, pin_blocked_at_ms';

/**
 * Cards of a batch still being loaded (or discarded) exist in the table but are invisible to every
 * lookup: a batch becomes usable in one short transaction once ALL its cards are in
 * (billing/batches/batch-writer.ts). A primary-key probe of the small batches table.
 */
export const VISIBLE_CARD = "(cards.batch_id IS NULL OR NOT EXISTS (SELECT 1 FROM batches WHERE batches.id = cards.batch_id AND batches.status IN ('loading', 'discarding')))";

export type CardRowWithSecrets = Card & { number_hash: string; pin_hash: string };

export async function cardById(q: Sql, id: number, lock = false): Promise<Card | undefined> {
  return q.one<Card>(`SELECT ${CARD_COLUMNS} FROM cards WHERE id = ? AND ${VISIBLE_CARD}${lock ? q.forUpdate : ''}`, [id]);
}

export async function cardByNumberHash(q: Sql, numberHash: string, lock = false): Promise<CardRowWithSecrets | undefined> {
  return q.one<CardRowWithSecrets>(`SELECT ${CARD_COLUMNS}, number_hash, pin_hash FROM cards WHERE number_hash = ? AND ${VISIBLE_CARD}${lock ? q.forUpdate : ''}`, [numberHash]);
}

export async function cardBySerial(q: Sql, serial: string): Promise<Card | undefined> {
  return q.one<Card>(`SELECT ${CARD_COLUMNS} FROM cards WHERE serial = ? AND ${VISIBLE_CARD}`, [serial]);
}
