import type { Database, Sql } from '../store/sql/database';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { BatchSummary } from './batch-card';
import { STAGING_STATUSES } from './batch-card';
import { fixedSlices, SliceSizer } from './slice-sizer';

const COLUMNS = 'id, name, currency, status, source, card_count, value_minor, total_minor, entry_id, actor, created_at_ms';

export async function batchByName(q: Sql, name: string): Promise<BatchSummary | undefined> {
  return q.one<BatchSummary>(`SELECT ${COLUMNS} FROM batches WHERE name = ?`, [name]);
}

export async function listBatches(q: Sql): Promise<Array<BatchSummary & { cards_by_status: Record<string, number> }>> {
  const batches = await q.all<BatchSummary>(`SELECT ${COLUMNS} FROM batches ORDER BY id`);
  const counts = await q.all<{ batch_id: number; status: string; n: number }>(
    'SELECT batch_id, status, COUNT(*) AS n FROM cards WHERE batch_id IS NOT NULL GROUP BY batch_id, status',
  );
  return batches.map((b) => ({
    ...b,
    cards_by_status: Object.fromEntries(counts.filter((c) => c.batch_id === b.id).map((c) => [c.status, Number(c.n)])),
  }));
}

const DAY_MS = 86_400_000;

/** Time one slice of a status change spends inside its transaction (as for loads: SLICE_TARGET_MS). */
const STATUS_SLICE_TARGET_MS = 20;

export interface BatchStatusChange { batch: BatchSummary; changed: number }

/**
 * Activates or suspends every card of a batch, in slices of card ids each its own short
 * transaction (a batch of a million cards never holds the write lock for long), then flips the
 * batch's own status — and runs `onWritten` (the operator event) — in one last transaction.
 * Cards change slice by slice meanwhile: each is either as it was or as asked, never in between.
 * Activation starts the clock of "N days after activation" cards that were never active; closed
 * cards are left alone. A batch still loading is refused.
 */
export async function changeBatchStatus(
  db: Database, name: string, to: 'active' | 'suspended', now_ms: number,
  opts: { onWritten?: (q: Sql, change: BatchStatusChange) => Promise<void>; slice_ids?: number } = {},
): Promise<Result<BatchStatusChange>> {
  const batch = await batchByName(db, name);
  if (!batch) return fail('not_found', `no batch named "${name}"`);
  if (STAGING_STATUSES.includes(batch.status)) return fail('invalid_state', `batch "${name}" is ${batch.status}: its cards cannot be used until the load has finished`);
  const range = await db.one<{ lo: number | null; hi: number | null }>('SELECT MIN(id) AS lo, MAX(id) AS hi FROM cards WHERE batch_id = ?', [batch.id]);
  const sizer = opts.slice_ids ? fixedSlices(opts.slice_ids) : new SliceSizer(STATUS_SLICE_TARGET_MS, 500, 50_000, 5_000);
  let changed = 0;
  for (let from = Number(range?.lo ?? 1), hi = Number(range?.hi ?? 0); from <= hi;) {
    const to_id = from + sizer.rows - 1;
    const began = performance.now();
    const r = await db.tx((q) => (to === 'active'
      ? q.run(
        `UPDATE cards SET status = 'active',
                expires_at_ms = CASE WHEN activated_at_ms IS NULL AND expiry_kind = 'after_activation' AND expiry_days IS NOT NULL THEN CAST(? AS BIGINT) + CAST(expiry_days AS BIGINT) * ${DAY_MS} ELSE expires_at_ms END,
                activated_at_ms = COALESCE(activated_at_ms, ?)
          WHERE batch_id = ? AND id BETWEEN ? AND ? AND status IN ('inactive', 'suspended')`,
        [now_ms, now_ms, batch.id, from, to_id])
      : q.run("UPDATE cards SET status = 'suspended' WHERE batch_id = ? AND id BETWEEN ? AND ? AND status = 'active'", [batch.id, from, to_id])));
    sizer.record(to_id - from + 1, performance.now() - began);
    changed += r.changes;
    from = to_id + 1;
  }
  const change: BatchStatusChange = { batch: { ...batch, status: to }, changed };
  await db.tx(async (q) => {
    await q.run('UPDATE batches SET status = ? WHERE id = ?', [to, batch.id]);
    await opts.onWritten?.(q, change);
  });
  return ok(change);
}
