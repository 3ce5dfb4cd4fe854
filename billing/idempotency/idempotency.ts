import type { Sql } from '../store/sql/database';
import { assert } from '../shared/errors';

/**
 * Idempotency keys (Stripe / Formance): the key is stored with a hash of the request in the SAME
 * transaction as the effect. A replay returns the stored answer (errors included); the same key
 * with a different request is a conflict. Keys are kept at least 24 h (purged after 48 h).
 */
export type IdempotencyStart =
  | { kind: 'new' }
  | { kind: 'replay'; status_code: number; response: unknown }
  | { kind: 'conflict' };

/** The row a move writes with its effect: scope, the caller's key, the keyed hash of the request. */
export interface IdempotencyRow { scope: string; key: string; hash: string }

export const IDEMPOTENCY_RETENTION_MS = 48 * 3600 * 1000;

export async function beginIdempotent(q: Sql, scope: string, key: string, hash: string, now_ms: number): Promise<IdempotencyStart> {
  const ins = await q.run(
    "INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES (?, ?, ?, 0, '', ?) ON CONFLICT (scope, key) DO NOTHING",
    [scope, key, hash, now_ms],
  );
  if (ins.changes === 1) return { kind: 'new' };
  const row = await q.one<{ request_hash: string; status_code: number; response_json: string }>(
    'SELECT request_hash, status_code, response_json FROM idempotency_keys WHERE scope = ? AND key = ?',
    [scope, key],
  );
  assert(row, 'idempotency row exists after a conflicting insert');
  if (row.request_hash !== hash) return { kind: 'conflict' };
  assert(row.status_code !== 0, 'a committed idempotency row has its answer');
  return { kind: 'replay', status_code: row.status_code, response: JSON.parse(row.response_json) };
}

export async function completeIdempotent(q: Sql, scope: string, key: string, status_code: number, response: unknown): Promise<void> {
  const r = await q.run('UPDATE idempotency_keys SET status_code = ?, response_json = ? WHERE scope = ? AND key = ?', [status_code, JSON.stringify(response), scope, key]);
  assert(r.changes === 1, 'idempotency row to complete');
}

export async function purgeIdempotencyKeys(q: Sql, now_ms: number): Promise<number> {
  return (await q.run('DELETE FROM idempotency_keys WHERE created_at_ms < ?', [now_ms - IDEMPOTENCY_RETENTION_MS])).changes;
}
