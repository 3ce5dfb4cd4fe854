import { cardAccount, merchantPayable } from '../ledger/accounts';
import { postEntry } from '../ledger/ledger-writer';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { newId } from '../shared/ids';
import type { Hold } from './hold';
import { holdById } from './hold-rows';

export interface Refund {
  id: string;
  authorization_id: string;
  amount_minor: number;
  currency: string;
  reason: string | null;
  created_at_ms: number;
}

/** Returns captured money to the card (in part or whole; total refunded ≤ captured). */
export async function refundHold(ctx: TxContext, hold_id: string, amount_minor: number | undefined, reason: string | null, merchant_id: number | null): Promise<Result<{ refund: Refund; hold: Hold }>> {
  const hold = await holdById(ctx.q, hold_id, true);
  if (!hold || (merchant_id !== null && hold.merchant_id !== merchant_id)) return fail('not_found', 'no such authorization');
  if (hold.status !== 'captured') return fail('invalid_state', `only a captured authorization can be refunded (this one is ${hold.status})`);
  const remaining = hold.captured_minor - hold.refunded_minor;
  const amount = amount_minor ?? remaining;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return remaining === 0 ? fail('invalid_state', 'the authorization is already fully refunded') : fail('validation_error', 'refund amount must be a positive integer of minor units');
  }
  if (amount > remaining) return fail('validation_error', `refund amount is more than the ${remaining} left to refund`);
  const credit = hold.kind === 'merchant' && hold.merchant_id !== null ? merchantPayable(hold.merchant_id) : 'telephony:revenue';
  const entry_id = await postEntry(ctx.q, ctx.now_ms, {
    kind: 'refund', card_id: hold.card_id, hold_id: hold.id, reason,
    postings: [
      { account: credit, card_id: null, amount_minor: -amount, currency: hold.currency },
      { account: cardAccount(hold.card_id), card_id: hold.card_id, amount_minor: amount, currency: hold.currency },
    ],
  });
  const refund: Refund = { id: newId('re'), authorization_id: hold.id, amount_minor: amount, currency: hold.currency, reason, created_at_ms: ctx.now_ms };
  await ctx.q.run('INSERT INTO refunds (id, hold_id, amount_minor, reason, entry_id, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)', [refund.id, hold.id, amount, reason, entry_id, ctx.now_ms]);
  await ctx.q.run('UPDATE holds SET refunded_minor = refunded_minor + ?, updated_at_ms = ? WHERE id = ?', [amount, ctx.now_ms, hold.id]);
  return ok({ refund, hold: { ...hold, refunded_minor: hold.refunded_minor + amount, updated_at_ms: ctx.now_ms } });
}
