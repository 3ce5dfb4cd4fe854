import type { Billing } from '../billing';
import { cardById } from '../cards/card-rows';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { captureHold, createHold } from './hold-engine';
import type { CaptureTarget, NewHold } from './hold-engine';
import type { Hold } from './hold';
import { captureInOneStatement, reserveInOneStatement } from './one-statement';

/**
 * Hold moves each in a transaction of their own, as the IVR and the settlement API make them: ONE
 * statement (group committed) on PostgreSQL when nothing stands in the way, else the general
 * transaction of hold-engine.ts — the only path on SQLite.
 */
export async function placeHold(billing: Billing, card_id: number, h: NewHold): Promise<Result<Hold>> {
  const one = billing.oneStatement();
  const done = one && (await reserveInOneStatement(one.q, one.now_ms, card_id, h));
  if (done) return ok(done.hold);
  return billing.tx(async (ctx) => {
    const card = await cardById(ctx.q, card_id, true);
    if (!card) return fail('not_found', 'no such card');
    return createHold(ctx, card, h);
  });
}

export async function captureHoldNow(billing: Billing, hold_id: string, amount_minor: number, target: CaptureTarget): Promise<Result<Hold>> {
  const one = billing.oneStatement();
  const done = one && (await captureInOneStatement(one.q, one.now_ms, hold_id, amount_minor, target, { kind: 'any' }));
  if (done) return ok(done.hold);
  return billing.tx((ctx) => captureHold(ctx, hold_id, amount_minor, target));
}
