import type { Sql } from '../store/sql/database';

/**
 * IVR node leases: every IVR process holds a row renewed on a bounded interval; a row whose
 * `expires_at_ms` has passed belongs to a process that vanished (or stalled longer than its lease).
 * Its calls in progress are then taken over by a live node with one conditional UPDATE, so two live
 * nodes can never both take the same call (SQLite serialises writers; PostgreSQL re-checks the
 * WHERE clause on the row it locks). Times are in the IVR's call clock (wall time in production).
 */
export interface IvrLease {
  node_id: string;
  instance: string;
  started_at_ms: number;
  renewed_at_ms: number;
  expires_at_ms: number;
}

/** What a renewal found. `lost`: the row is gone (expired and reaped: our calls may have been taken over). `taken_over`: another process started with our node id. */
export type RenewOutcome = 'renewed' | 'lost' | 'taken_over';

export async function leaseOf(q: Sql, node_id: string): Promise<IvrLease | undefined> {
  return q.one<IvrLease>('SELECT node_id, instance, started_at_ms, renewed_at_ms, expires_at_ms FROM ivr_nodes WHERE node_id = ?', [node_id]);
}

/**
 * Takes the lease of `node_id` for this process (`instance`), whoever held it: a process starting
 * with a node id takes over that id's calls (a restart resumes them). Returns the lease it replaced,
 * if another instance held it, so a clash of node ids can be logged.
 */
export async function acquireLease(q: Sql, node_id: string, instance: string, now_ms: number, ttl_ms: number): Promise<IvrLease | undefined> {
  const before = await q.one<IvrLease>(`SELECT node_id, instance, started_at_ms, renewed_at_ms, expires_at_ms FROM ivr_nodes WHERE node_id = ?${q.forUpdate}`, [node_id]);
  await q.run(
    `INSERT INTO ivr_nodes (node_id, instance, started_at_ms, renewed_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (node_id) DO UPDATE SET instance = excluded.instance, started_at_ms = excluded.started_at_ms, renewed_at_ms = excluded.renewed_at_ms, expires_at_ms = excluded.expires_at_ms`,
    [node_id, instance, now_ms, now_ms, now_ms + ttl_ms],
  );
  return before && before.instance !== instance ? before : undefined;
}

/** Extends this process's lease; never re-creates a lease that was reaped (that would hide that our calls may have been taken). */
export async function renewLease(q: Sql, node_id: string, instance: string, now_ms: number, ttl_ms: number): Promise<RenewOutcome> {
  const r = await q.run('UPDATE ivr_nodes SET renewed_at_ms = ?, expires_at_ms = ? WHERE node_id = ? AND instance = ?', [now_ms, now_ms + ttl_ms, node_id, instance]);
  if (r.changes === 1) return 'renewed';
  return (await leaseOf(q, node_id)) ? 'taken_over' : 'lost';
}

/**
 * Deletes the leases that expired before `now_ms` (except `self`'s) and gives every active call of
 * a node without a lease to `self`. Run in one transaction: a call can only move from a node that has
 * no lease, and only once. Returns the reaped node ids and how many calls were taken over.
 */
export async function takeOverOrphanedCalls(q: Sql, self: string, now_ms: number): Promise<{ reaped: string[]; calls: number }> {
  const expired = await q.all<{ node_id: string }>('SELECT node_id FROM ivr_nodes WHERE expires_at_ms < ? AND node_id <> ?', [now_ms, self]);
  const reaped: string[] = [];
  for (const { node_id } of expired) {
    // Conditional: a node that renewed meanwhile keeps its lease.
    const d = await q.run('DELETE FROM ivr_nodes WHERE node_id = ? AND expires_at_ms < ?', [node_id, now_ms]);
    if (d.changes === 1) reaped.push(node_id);
  }
  const moved = await q.run(
    `UPDATE call_records SET ivr_node = ? WHERE status = 'active' AND (ivr_node IS NULL OR (ivr_node <> ? AND NOT EXISTS (SELECT 1 FROM ivr_nodes n WHERE n.node_id = call_records.ivr_node)))`,
    [self, self],
  );
  return { reaped, calls: moved.changes };
}

/** Live leases (for operators and tests). */
export async function liveLeases(q: Sql, now_ms: number): Promise<IvrLease[]> {
  return q.all<IvrLease>('SELECT node_id, instance, started_at_ms, renewed_at_ms, expires_at_ms FROM ivr_nodes WHERE expires_at_ms >= ? ORDER BY node_id', [now_ms]);
}
