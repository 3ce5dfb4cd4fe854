import type { Sql } from '../store/sql/database';

/** `reveal_link`: a new one-time link to a buyer's own card, asked for from the order page. */
export type MailKind = 'receipt' | 'gift' | 'reveal_link';
export type MailStatus = 'pending' | 'sent' | 'failed' | 'superseded';

/**
 * The transactional outbox: a row is written in the SAME transaction as the purchase, and a
 * background task delivers it later (at-least-once, bounded retries with exponential backoff).
 * Rows hold no message body: it is rendered at send time from the order, so a gift's card
 * number never sits in the outbox in clear.
 */
export interface OutboxRow {
  id: number;
  kind: MailKind;
  order_id: string;
  to_address: string;
  status: MailStatus;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  message_id: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
}

const COLUMNS = 'id, kind, order_id, to_address, status, attempts, next_attempt_at_ms, last_error, message_id, created_at_ms, sent_at_ms';

export async function enqueueMail(q: Sql, now_ms: number, m: { kind: MailKind; order_id: string; to_address: string; send_at_ms?: number | null }): Promise<void> {
  await q.run("INSERT INTO mail_outbox (kind, order_id, to_address, status, attempts, next_attempt_at_ms, created_at_ms) VALUES (?, ?, ?, 'pending', 0, ?, ?)", [
    m.kind, m.order_id, m.to_address, Math.max(now_ms, m.send_at_ms ?? now_ms), now_ms,
  ]);
}

export async function outboxOfOrder(q: Sql, order_id: string): Promise<OutboxRow[]> {
  return q.all<OutboxRow>(`SELECT ${COLUMNS} FROM mail_outbox WHERE order_id = ? ORDER BY id`, [order_id]);
}

/** Pending gift mails of an order are replaced by a new one (resend rotates the claim link). */
export async function supersedePendingGifts(q: Sql, order_id: string): Promise<void> {
  await supersedePendingMail(q, order_id, 'gift');
}

/** Pending mails of this kind for an order are dropped (their link was rotated, or the card was shown). */
export async function supersedePendingMail(q: Sql, order_id: string, kind: MailKind): Promise<void> {
  await q.run("UPDATE mail_outbox SET status = 'superseded' WHERE order_id = ? AND kind = ? AND status = 'pending'", [order_id, kind]);
}

/**
 * Claims up to `limit` due rows for this worker by pushing their next attempt `lease_ms` ahead
 * (a compare-and-set on next_attempt_at_ms, so two processes never take the same row; a worker
 * that dies mid-send leaves the row to be retried when the lease runs out).
 */
export async function claimDueMail(q: Sql, now_ms: number, limit: number, lease_ms: number): Promise<OutboxRow[]> {
  const due = await q.all<OutboxRow>(`SELECT ${COLUMNS} FROM mail_outbox WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT ?`, [now_ms, limit]);
  const claimed: OutboxRow[] = [];
  for (const row of due) {
    const r = await q.run("UPDATE mail_outbox SET next_attempt_at_ms = ? WHERE id = ? AND status = 'pending' AND next_attempt_at_ms = ?", [now_ms + lease_ms, row.id, row.next_attempt_at_ms]);
    if (r.changes === 1) claimed.push(row);
  }
  return claimed;
}

export async function markMailSent(q: Sql, id: number, now_ms: number, message_id: string | null): Promise<void> {
  await q.run("UPDATE mail_outbox SET status = 'sent', attempts = attempts + 1, sent_at_ms = ?, message_id = ?, last_error = NULL WHERE id = ?", [now_ms, message_id, id]);
}

export async function markMailSuperseded(q: Sql, id: number): Promise<void> {
  await q.run("UPDATE mail_outbox SET status = 'superseded' WHERE id = ?", [id]);
}

/** A failed attempt: retried at `next_attempt_at_ms`, or given up (`failed`) when that is null. */
export async function markMailAttemptFailed(q: Sql, id: number, error: string, next_attempt_at_ms: number | null): Promise<void> {
  if (next_attempt_at_ms === null) {
    await q.run("UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?", [error, id]);
  } else {
    await q.run('UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ? WHERE id = ?', [error, next_attempt_at_ms, id]);
  }
}
