import type { Sql } from '../../billing/store/sql/database';

export type AuditTarget = 'card' | 'batch' | 'merchant' | 'deck' | 'carrier' | 'source';

/** Records what an operator did, in the same transaction as the effect. */
export async function recordOperatorEvent(
  q: Sql,
  now_ms: number,
  e: { action: string; target_kind: AuditTarget; target_id: string | number; actor: string; detail?: Record<string, unknown> },
): Promise<void> {
  await q.run('INSERT INTO operator_events (action, target_kind, target_id, actor, detail, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)', [
    e.action, e.target_kind, String(e.target_id), e.actor.slice(0, 100), e.detail ? JSON.stringify(e.detail).slice(0, 1000) : null, now_ms,
  ]);
}
