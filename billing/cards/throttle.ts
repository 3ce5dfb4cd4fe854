import type { TxContext } from '../shared/context';

/**
 * Failed-credential counting per source (caller number, IP address), shared by every process
 * through the database. Keys look like `caller:+15551234567` or `ip:203.0.113.9`.
 */
export async function isThrottled(ctx: Pick<TxContext, 'q' | 'now_ms'>, key: string): Promise<boolean> {
  const row = await ctx.q.one<{ locked_until_ms: number | null }>('SELECT locked_until_ms FROM auth_throttles WHERE key = ?', [key]);
  return !!row && row.locked_until_ms !== null && row.locked_until_ms > ctx.now_ms;
}

export async function recordSourceFailure(ctx: TxContext, key: string): Promise<void> {
  const { q, now_ms, policy } = ctx;
  const row = await q.one<{ failures: number; window_start_ms: number }>(`SELECT failures, window_start_ms FROM auth_throttles WHERE key = ?${q.forUpdate}`, [key]);
  if (!row) {
    await q.run('INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES (?, 1, ?, NULL) ON CONFLICT (key) DO UPDATE SET failures = auth_throttles.failures + 1', [key, now_ms]);
    return;
  }
  const inWindow = now_ms - row.window_start_ms < policy.source_window_ms;
  const failures = inWindow ? row.failures + 1 : 1;
  const locked = failures >= policy.source_max_failures ? now_ms + policy.source_lock_ms : null;
  await q.run('UPDATE auth_throttles SET failures = ?, window_start_ms = ?, locked_until_ms = ? WHERE key = ?', [
    locked ? 0 : failures,
    inWindow ? row.window_start_ms : now_ms,
    locked,
    key,
  ]);
}
