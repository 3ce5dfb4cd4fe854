import type { Sql } from '../store/sql/database';
import type { Card } from './card';

export const CARD_COLUMNS =
  'id, serial, last4, batch_id, currency, status, expiry_kind, expiry_days, expires_at_ms, activated_at_ms, first_used_at_ms, created_at_ms, balance_minor, pending_minor, pin_failures, locked_until_ms, pin_lockouts, pin_blocked_at_ms';

export type CardRowWithSecrets = Card & { number_hash: string; pin_hash: string };

export async function cardById(q: Sql, id: number, lock = false): Promise<Card | undefined> {
  return q.one<Card>(`SELECT ${CARD_COLUMNS} FROM cards WHERE id = ?${lock ? q.forUpdate : ''}`, [id]);
}

export async function cardByNumberHash(q: Sql, numberHash: string, lock = false): Promise<CardRowWithSecrets | undefined> {
  return q.one<CardRowWithSecrets>(`SELECT ${CARD_COLUMNS}, number_hash, pin_hash FROM cards WHERE number_hash = ?${lock ? q.forUpdate : ''}`, [numberHash]);
}

export async function cardBySerial(q: Sql, serial: string): Promise<Card | undefined> {
  return q.one<Card>(`SELECT ${CARD_COLUMNS} FROM cards WHERE serial = ?`, [serial]);
}
