import type { Sql } from '../store/sql/database';
import type { BillingPolicy, TxContext } from '../shared/context';

/**
 * Failed-credential counting per source, shared by every process through the database. Keys look
 * like `caller:+15551234567`, `ip:203.0.113.9`, `ip:2001:db8:1:2::/64` (see billing/http/client-ip.ts)
 * or `merchant:12`. A key that reaches its rule's failures within the window is refused for the
 * rule's lock time.
 */
export interface ThrottleRule {
  max_failures: number;
  window_ms: number;
  lock_ms: number;
}

/** The rule of a source (caller number, end customer's address) and of a merchant (settlement API). */
export function throttleRule(policy: BillingPolicy, kind: 'source' | 'merchant'): ThrottleRule {
  return {
    max_failures: kind === 'merchant' ? policy.merchant_max_failures : policy.source_max_failures,
    window_ms: policy.source_window_ms,
    lock_ms: policy.source_lock_ms,
  };
}

/** Which of `keys` are locked now: one statement, however many keys (a channel passes one or two). */
export async function lockedKeys(ctx: Pick<TxContext, 'q' | 'now_ms'>, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await ctx.q.all<{ key: string }>(
    `SELECT key FROM auth_throttles WHERE key IN (${keys.map(() => '?').join(', ')}) AND locked_until_ms > ?`,
    [...keys, ctx.now_ms],
  );
  return new Set(rows.map((r) => r.key));
}

/** Counts one failure against `key` under `rule` (by default the per-source rule of the policy). */
export async function recordSourceFailure(ctx: TxContext, key: string, rule: ThrottleRule = throttleRule(ctx.policy, 'source')): Promise<void> {
  const { q, now_ms } = ctx;
  const row = await q.one<{ failures: number; window_start_ms: number }>(`SELECT failures, window_start_ms FROM auth_throttles WHERE key = ?${q.forUpdate}`, [key]);
  if (!row) {
    // A rule of one failure locks at once (the same as the update path below would).
    const lock = rule.max_failures <= 1 ? now_ms + rule.lock_ms : null;
    await q.run('INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = auth_throttles.failures + 1', [key, lock ? 0 : 1, now_ms, lock]);
    return;
  }
  const inWindow = now_ms - row.window_start_ms < rule.window_ms;
  const failures = inWindow ? row.failures + 1 : 1;
  const locked = failures >= rule.max_failures ? now_ms + rule.lock_ms : null;
  await q.run('UPDATE auth_throttles SET failures = ?, window_start_ms = ?, locked_until_ms = ? WHERE key = ?', [
    locked ? 0 : failures,
    inWindow ? row.window_start_ms : now_ms,
    locked,
    key,
  ]);
}

/** One source's failure count and lock, as an operator sees it (`prepaid throttles`). */
export interface ThrottleRow {
  key: string;
  failures: number;
  window_start_ms: number;
  locked_until_ms: number | null;
}

const THROTTLE_COLUMNS = 'key, failures, window_start_ms, locked_until_ms';

/** The sources locked now (or, with `all`, every source with failures counted), by key. */
export async function listThrottles(q: Sql, now_ms: number, o: { all: boolean; limit: number }): Promise<ThrottleRow[]> {
  return q.all<ThrottleRow>(
    `SELECT ${THROTTLE_COLUMNS} FROM auth_throttles WHERE ${o.all ? '1 = 1' : 'locked_until_ms > ?'} ORDER BY key LIMIT ?`,
    o.all ? [o.limit] : [now_ms, o.limit],
  );
}

/**
 * Operator clear (`prepaid throttles clear`): forgets a source's failures and lifts its lock at
 * once, so a merchant or an address locked out by failed card checks may try again. Returns what
 * was counted, or null when the source had nothing counted.
 */
export async function clearThrottle(q: Sql, key: string): Promise<ThrottleRow | null> {
  return (await q.one<ThrottleRow>(`DELETE FROM auth_throttles WHERE key = ? RETURNING ${THROTTLE_COLUMNS}`, [key])) ?? null;
}
