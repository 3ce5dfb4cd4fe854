import type { Sql } from '../store/sql/database';

/**
 * A card's lock on PostgreSQL: the transaction-scoped advisory lock keyed by the card's id
 * (`pg_advisory_xact_lock(card_id)`, released at COMMIT or ROLLBACK). It guards the card's row and
 * the rows of its holds. SQLite needs none: BEGIN IMMEDIATE serialises every writer.
 *
 * The protocol, which every PostgreSQL transaction writing a card's row or one of its holds keeps:
 * - a general transaction takes the lock, waiting for it, BEFORE it locks or writes those rows
 *   (cardById / cardByNumberHash / holdById with `lock`, postEntry, lockCard);
 * - a one-statement move (billing/holds/one-statement.ts) takes it now or not at all
 *   (`pg_try_advisory_xact_lock`): when another transaction holds it, the move changes nothing and
 *   the general path, in a transaction of its own, does the waiting.
 * So a one-statement move that got the lock never waits on the card's or its holds' row locks:
 * whoever held one of them held the lock too, and has ended. A group-committed batch of unrelated
 * moves is never stalled by one slow transaction. An advisory lock lives in PostgreSQL's lock table
 * only; the row locks it replaced (`FOR UPDATE SKIP LOCKED` on the card and the hold) were each a
 * write to the row's page and a WAL record, in the hottest statements (bench/ledger: +25%).
 *
 * Each lock held is an entry in PostgreSQL's shared lock table (max_locks_per_transaction ×
 * max_connections entries, 6,400 by default): a group-committed batch takes at most 32 (its size),
 * the sweeper at most its limit (500 holds per transaction).
 *
 * The one exception: `batches activate` / `suspend` (billing/batches/batches.ts) change up to
 * 50,000 cards per transaction, more locks than that table holds, so they take the rows'
 * locks only. A one-statement move on one of those cards waits for that slice's COMMIT — at most the
 * group commit's `lock_timeout`, after which its batch is rolled back and retried by the general path.
 *
 * A statement reads in a snapshot taken before it got the lock, so whatever it decides on must come
 * from the rows it writes (an UPDATE re-reads the newest version of its row) or from rows it reads
 * `FOR UPDATE` (the newest version too).
 */

/**
 * SQL (PostgreSQL): the ids `select` picks (a SELECT of one column, `id`, naming the card
 * `card_id`: `SELECT id, card_id FROM …`), kept only once each one's card is locked — `now`: taken
 * now or never (a row whose card another transaction holds is dropped); `wait`: waiting for it.
 * The `OFFSET 0` keeps the lock off rows `select` does not pick: PostgreSQL may not move it into
 * the scan, where a sequential scan would lock every card it passes.
 */
export function lockedIds(select: string, mode: 'now' | 'wait'): string {
  const lock = mode === 'now' ? 'pg_try_advisory_xact_lock(picked.card_id)' : '(SELECT true FROM pg_advisory_xact_lock(picked.card_id))';
  return `(SELECT picked.id FROM (${select} OFFSET 0) AS picked WHERE ${lock})`;
}

/** SQL (PostgreSQL): the card `where` picks, locked now or not at all (a scalar subquery: its id, or NULL). */
export const cardLockedNow = (where: string): string => lockedIds(`SELECT id, id AS card_id FROM cards WHERE ${where}`, 'now');

/**
 * An SQL expression for the card id `?` to use in `WHERE id = …` on `cards` in a general
 * transaction: on PostgreSQL the card's lock is taken first (waiting for it); on SQLite just `?`.
 */
export const cardIdLocked = (q: Sql): string => (q.dialect === 'pg' ? lockedIds('SELECT id, id AS card_id FROM cards WHERE id = ?', 'wait') : '?');

/** Takes the card's lock in the caller's transaction, waiting for it (PostgreSQL; nothing on SQLite). */
export async function lockCard(q: Sql, card_id: number): Promise<void> {
  if (q.dialect === 'pg') await q.one('SELECT true AS locked FROM pg_advisory_xact_lock(?)', [card_id]);
}
