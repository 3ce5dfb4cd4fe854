import type { Card } from '../cards/card';
import { cardById } from '../cards/card-rows';
import { captureHold, createHold, voidHold } from '../holds/hold-engine';
import type { NewHold } from '../holds/hold-engine';
import type { Hold } from '../holds/hold';
import { captureInOneStatement, voidInOneStatement } from '../holds/one-statement';
import type { CardMoney, HoldOwner } from '../holds/one-statement';
import { HOLD_COLUMNS } from '../holds/hold-rows';
import { TELEPHONY_REVENUE } from '../ledger/accounts';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';

/**
 * The money side of real-time metering. A running call holds only its next chunk; each chunk is
 * a hold of kind `call` that expires by itself (so a dead IVR never leaves money stuck), captured
 * into telephony revenue with the exact rated cost of the seconds it covered.
 */
export async function reserveCallChunk(ctx: TxContext, call_id: string, card: number | Card, amount_minor: number, currency: string, ttl_ms: number, span?: { from_s: number; to_s: number }): Promise<Result<Hold>> {
  // A caller that already holds the locked row passes it, saving a second read in the same transaction.
  const row = typeof card === 'number' ? await cardById(ctx.q, card, true) : card;
  if (!row) return fail('not_found', 'no such card');
  return createHold(ctx, row, callChunkHold(call_id, amount_minor, currency, ttl_ms, span));
}

/** The hold of one chunk of a call (its span is kept in the description, for restore after a restart). */
export function callChunkHold(call_id: string, amount_minor: number, currency: string, ttl_ms: number, span?: { from_s: number; to_s: number }): NewHold {
  return {
    kind: 'call', call_id, amount_minor, currency, ttl_ms, id_prefix: 'callhold', reference: call_id,
    description: span ? `chunk ${span.from_s}-${span.to_s}` : null,
  };
}

/** Captures `amount_minor` of a chunk (0 voids it): the rest is released. */
export async function settleCallChunk(ctx: TxContext, hold_id: string, amount_minor: number): Promise<Result<Hold>> {
  if (amount_minor === 0) {
    const v = await voidHold(ctx, hold_id);
    if (!v.ok && v.error.code === 'invalid_state') {
      // Already expired by the sweeper: nothing is held, nothing to charge.
      return ok({ id: hold_id } as Hold);
    }
    return v;
  }
  return captureHold(ctx, hold_id, amount_minor, { account: TELEPHONY_REVENUE, entry_kind: 'call_charge' });
}

/**
 * settleCallChunk in its own transaction as ONE statement (PostgreSQL) when the chunk is still
 * pending and unexpired (and, with `ivr_node`, its call still active and owned by that node — the
 * fence, checked and locked in the same statement): the card's money just after; null when the
 * general path must decide (then nothing was changed).
 */
export async function settleCallChunkInOneStatement(ctx: Pick<TxContext, 'q' | 'now_ms'>, hold_id: string, amount_minor: number, ivr_node?: string): Promise<CardMoney | null> {
  const owner: HoldOwner = ivr_node === undefined ? { kind: 'any' } : { kind: 'call', ivr_node };
  return amount_minor === 0
    ? voidInOneStatement(ctx.q, ctx.now_ms, hold_id, owner)
    : captureInOneStatement(ctx.q, ctx.now_ms, hold_id, amount_minor, { account: TELEPHONY_REVENUE, entry_kind: 'call_charge' }, owner);
}

/** Every hold of a call in order (for rebuilding its meter after a restart). */
export async function holdsOfCall(ctx: Pick<TxContext, 'q'>, call_id: string): Promise<Hold[]> {
  return ctx.q.all<Hold>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE call_id = ? ORDER BY created_at_ms, id`, [call_id]);
}
