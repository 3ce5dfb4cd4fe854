import type { Billing } from '../billing';
import { throttledFailure, throttledSource } from '../cards/card-auth';
import type { AuthSource } from '../cards/card-auth';
import { beginIdempotent, completeIdempotent } from '../idempotency/idempotency';
import type { IdempotencyRow } from '../idempotency/idempotency';
import type { TxContext } from '../shared/context';
import type { ErrorCode, Result } from '../shared/errors';
import type { Outcome } from './api-error';
import { errorOutcome } from './api-error';

export interface RunOutcome extends Outcome {
  code: ErrorCode | null;
  replayed: boolean;
}

export interface MoneyMove {
  request_id: string;
  merchant_id: number;
  /** Idempotency-Key header, already validated; undefined when absent. */
  key: string | undefined;
  /** What identifies the request (method, path, body with secrets already hashed). */
  fingerprint: unknown;
  /**
   * Who is trying a card, when the request carries card credentials: a throttled source (the
   * merchant, or its customer's address) is refused before its Idempotency-Key is bound (so a retry
   * after the lock is served); the operation must pass the same source to authenticateCard, which
   * checks it (first, so without a key it is the only check) and counts the failures.
   */
  source?: AuthSource;
  okStatus: number;
  op(ctx: TxContext): Promise<Result<unknown>>;
  /**
   * The whole move — source throttle check, effect, idempotency row — as ONE statement in its own
   * transaction (PostgreSQL), for when nothing stands in its way: its answer, or null when the
   * general transaction below must decide (having changed nothing).
   */
  oneStatement?(ctx: TxContext, idempotency: IdempotencyRow | null): Promise<Outcome | null>;
}

export function outcomeOf(r: Result<unknown>, okStatus: number, request_id: string): RunOutcome {
  if (r.ok) return { status: okStatus, body: r.value, code: null, replayed: false };
  return { ...errorOutcome(r.error.code, r.error.message, request_id), code: r.error.code, replayed: false };
}

/**
 * Runs one money-moving request in ONE transaction: source throttle check → idempotency begin →
 * the operation (card authentication and its failure counting included) → idempotency complete.
 * Domain failures commit (a wrong PIN must be counted) and are stored for replay; a throw rolls
 * everything back, key included, so a 500 is never replayed. The key is scoped per merchant. A move
 * with a one-statement form tries it first (PostgreSQL): one round trip when nothing stands in its
 * way, else this transaction.
 */
export async function runMoneyMove(billing: Billing, m: MoneyMove): Promise<RunOutcome> {
  const scope = `merchant:${m.merchant_id}`;
  const idempotency = m.key === undefined ? null : { scope, key: m.key, hash: billing.hasher.token('idempotency', JSON.stringify(m.fingerprint)) };
  const one = billing.oneStatement();
  if (one && m.oneStatement) {
    const done = await m.oneStatement(one, idempotency);
    if (done) return { ...done, code: null, replayed: false };
  }
  return billing.tx(async (ctx) => {
    // Only needed before a key is bound: without one, the operation's own first step is this same
    // check (authenticateCard), in this same transaction, with the same answer.
    const throttled = m.source && idempotency ? await throttledSource(ctx, m.source) : null;
    if (throttled) return { ...outcomeOf(throttledFailure(throttled), m.okStatus, m.request_id), replayed: false };
    if (idempotency) {
      const start = await beginIdempotent(ctx.q, scope, idempotency.key, idempotency.hash, ctx.now_ms);
      if (start.kind === 'conflict') {
        return { ...errorOutcome('idempotency_conflict', 'this Idempotency-Key was already used with a different request', m.request_id), code: 'idempotency_conflict', replayed: false };
      }
      if (start.kind === 'replay') {
        const body = start.response as { error?: { code?: ErrorCode } };
        return { status: start.status_code, body: start.response, code: body?.error?.code ?? null, replayed: true };
      }
    }
    const out = outcomeOf(await m.op(ctx), m.okStatus, m.request_id);
    if (idempotency) await completeIdempotent(ctx.q, scope, idempotency.key, out.status, out.body);
    return out;
  });
}
