import { assert, BillingError } from '../shared/errors';
import type { Database, Sql } from '../store/sql/database';
import { STAGING_STATUSES } from './batch-card';

/** Cards removed per transaction (with their postings and ledger entries). */
export const DISCARD_SLICE_ROWS = 2000;
const MAX_SLICES = 100_000;

const marks = (n: number) => Array(n).fill('?').join(', ');

/**
 * Removes one slice of a staged batch: the ledger entries of up to `limit` of its cards, every
 * posting of those entries (so the books stay balanced at every commit), and their cards. A staged
 * card was never visible, so it has nothing but its issue posting; anything else aborts.
 * Returns how many cards went.
 */
async function discardSlice(q: Sql, batch_id: number, limit: number): Promise<number> {
  const entries = (await q.all<{ entry_id: number }>(
    `SELECT DISTINCT entry_id FROM postings WHERE card_id IN (SELECT id FROM cards WHERE batch_id = ? LIMIT ${limit})`, [batch_id],
  )).map((r) => Number(r.entry_id));
  if (entries.length === 0) {
    // Cards without a posting cannot be written by the batch writer; removed all the same.
    const r = await q.run(`DELETE FROM cards WHERE id IN (SELECT id FROM cards WHERE batch_id = ? LIMIT ${limit})`, [batch_id]);
    return r.changes;
  }
  const cardIds = (await q.all<{ card_id: number }>(`SELECT card_id FROM postings WHERE entry_id IN (${marks(entries.length)}) AND card_id IS NOT NULL`, entries)).map((r) => Number(r.card_id));
  assert(cardIds.length > 0, 'a staged batch entry books cards');
  const own = await q.one<{ n: number }>(`SELECT COUNT(*) AS n FROM cards WHERE id IN (${marks(cardIds.length)}) AND batch_id = ?`, [...cardIds, batch_id]);
  assert(Number(own?.n) === cardIds.length, 'a staged batch entry books only cards of that batch');
  const other = await q.one(`SELECT id FROM postings WHERE card_id IN (${marks(cardIds.length)}) AND entry_id NOT IN (${marks(entries.length)}) LIMIT 1`, [...cardIds, ...entries]);
  if (other) throw new BillingError('invalid_state', 'a card of this batch has been used; a batch that was ever published cannot be discarded');
  await q.run(`DELETE FROM postings WHERE entry_id IN (${marks(entries.length)})`, entries);
  await q.run(`DELETE FROM ledger_entries WHERE id IN (${marks(entries.length)})`, entries);
  return (await q.run(`DELETE FROM cards WHERE id IN (${marks(cardIds.length)})`, cardIds)).changes;
}

/**
 * Removes a batch that never finished loading — its cards, their postings and ledger entries, and
 * finally the batch row — in bounded slices, never holding the write lock for long. The batch is
 * first marked `discarding`, so a load still running notices at its next slice and stops.
 * Only `loading` / `discarding` batches qualify: a published batch is never removed.
 * Returns the number of cards removed.
 */
export async function discardStagedBatch(db: Database, batch_id: number, slice_rows = DISCARD_SLICE_ROWS): Promise<number> {
  const marked = await db.tx(async (q) => {
    const b = await q.one<{ status: string }>('SELECT status FROM batches WHERE id = ?', [batch_id]);
    if (!b) return false;
    if (!STAGING_STATUSES.includes(b.status as never)) throw new BillingError('invalid_state', `the batch is ${b.status}: only a batch that never finished loading can be discarded`);
    await q.run("UPDATE batches SET status = 'discarding' WHERE id = ?", [batch_id]);
    return true;
  });
  if (!marked) return 0;
  let removed = 0;
  for (let i = 0; ; i++) {
    assert(i < MAX_SLICES, 'bounded discard');
    const n = await db.tx((q) => discardSlice(q, batch_id, slice_rows));
    if (n === 0) break;
    removed += n;
  }
  await db.tx(async (q) => {
    // A slice committed by a load that had not yet seen `discarding` would still be here.
    const left = await q.one('SELECT id FROM cards WHERE batch_id = ? LIMIT 1', [batch_id]);
    if (left) throw new BillingError('invalid_state', 'cards were still being added; run the discard again');
    await q.run("DELETE FROM batches WHERE id = ? AND status = 'discarding'", [batch_id]);
  });
  return removed;
}
