import { z } from 'zod';
import { BillingError } from '../shared/errors';
import type { Sql } from '../store/sql/database';
import type { RouteAttempt } from './route-types';
import { ATTEMPT_OUTCOMES } from './route-types';

const attemptSchema = z.object({
  call_id: z.string().min(1).max(40).nullable(),
  carrier_id: z.number().int().positive(),
  order: z.number().int().min(1).max(1000),
  started_at_ms: z.number().int().nonnegative(),
  ended_at_ms: z.number().int().nonnegative(),
  sip_status: z.number().int().min(100).max(699).nullable(),
  outcome: z.enum(ATTEMPT_OUTCOMES),
}).refine((a) => a.ended_at_ms >= a.started_at_ms, { path: ['ended_at_ms'], message: 'must not be before started_at_ms' });

/** Records one carrier the edge tried for a call (answered or not); validated, and the carrier must exist. */
export async function recordAttempt(q: Sql, a: RouteAttempt): Promise<void> {
  const r = attemptSchema.safeParse(a);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BillingError('validation_error', `route attempt ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`);
  }
  const v = r.data;
  if (!(await q.one('SELECT id FROM carriers WHERE id = ?', [v.carrier_id]))) throw new BillingError('not_found', `no carrier with id ${v.carrier_id}`);
  await q.run(
    'INSERT INTO route_attempts (call_id, carrier_id, attempt_order, started_at_ms, ended_at_ms, sip_status, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [v.call_id, v.carrier_id, v.order, v.started_at_ms, v.ended_at_ms, v.sip_status, v.outcome],
  );
}
