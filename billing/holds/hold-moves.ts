import type { Billing } from '../billing';
import { cardById } from '../cards/card-rows';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { captureHold, createHold } from './hold-engine';
import type { CaptureTarget, NewHold } from './hold-engine';
import type { Hold } from './hold';
import { captureInOneStatement, reserveOrReadInOneStatement } from './one-statement';

/**
 * A hold and its capture, each in a transaction of its own, with the statements the IVR meters a
 * call with (billing/calls/call-metering.ts): the reservation that tells the card's money when it
 * declines, and the capture that answers with it — ONE statement each, group committed, on
 * PostgreSQL when nothing stands in the way; else the general transaction of hold-engine.ts, the
 * only path on SQLite. What bench/ledger measures the billing core by.
 */
export async function placeHold(billing: Billing, card_id: number, h: NewHold): Promise<Result<Hold>> {
  const one = billing.oneStatement();
  const done = one && (await reserveOrReadInOneStatement(one.q, one.now_ms, card_id, h, undefined));
  if (done && 'hold' in done) return ok(done.hold);
  return billing.tx(async (ctx) => {
    const card = await cardById(ctx.q, card_id, true);
    if (!card) return fail('not_found', 'no such card');
    return createHold(ctx, card, h);
  });
}

/** Captures `amount_minor` of a pending hold (the rest released); ok once it is committed. */
export async function captureHoldNow(billing: Billing, hold_id: string, amount_minor: number, target: CaptureTarget): Promise<Result<true>> {
  const one = billing.oneStatement();
  if (one && (await captureInOneStatement(one.q, one.now_ms, hold_id, amount_minor, target, { kind: 'any' }))) return ok(true);
  const r = await billing.tx((ctx) => captureHold(ctx, hold_id, amount_minor, target));
  return r.ok ? ok(true) : r;
}
