import type { Sql } from '../store/sql/database';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { BatchSummary } from './batch-card';
import { STAGING_STATUSES } from './batch-card';

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

/**
 * Activates or suspends every card of a batch in one statement. Activation starts the clock of
 * "N days after activation" cards that were never active; closed cards are left alone.
 */
export async function setBatchStatus(q: Sql, name: string, to: 'active' | 'suspended', now_ms: number): Promise<Result<{ batch: BatchSummary; changed: number }>> {
  const batch = await batchByName(q, name);
  if (!batch) return fail('not_found', `no batch named "${name}"`);
  if (STAGING_STATUSES.includes(batch.status)) return fail('invalid_state', `batch "${name}" is ${batch.status}: its cards cannot be used until the load has finished`);
  const r = to === 'active'
    ? await q.run(
      `UPDATE cards SET status = 'active',
              expires_at_ms = CASE WHEN activated_at_ms IS NULL AND expiry_kind = 'after_activation' AND expiry_days IS NOT NULL THEN CAST(? AS BIGINT) + CAST(expiry_days AS BIGINT) * ${DAY_MS} ELSE expires_at_ms END,
              activated_at_ms = COALESCE(activated_at_ms, ?)
        WHERE batch_id = ? AND status IN ('inactive', 'suspended')`,
      [now_ms, now_ms, batch.id])
    : await q.run("UPDATE cards SET status = 'suspended' WHERE batch_id = ? AND status = 'active'", [batch.id]);
  await q.run('UPDATE batches SET status = ? WHERE id = ?', [to, batch.id]);
  return ok({ batch: { ...batch, status: to }, changed: r.changes });
}
