import type { CaptureTarget, NewHold } from '../holds/hold-engine';
import { merchantPayable } from '../ledger/accounts';
import type { TxContext } from '../shared/context';
import type { AuthorizeInput } from './settlement';

/** The hold an authorization makes (pending, or born captured with `capture: true`). */
export function merchantHold(ctx: TxContext, merchant_id: number, input: AuthorizeInput): NewHold {
  return {
    kind: 'merchant',
    merchant_id,
    amount_minor: input.amount,
    currency: input.currency,
    ttl_ms: ctx.policy.merchant_hold_ttl_ms,
    reference: input.reference ?? null,
    description: input.description ?? null,
    id_prefix: 'auth',
  };
}

/** Where a merchant's captured money goes. */
export const merchantCapture = (merchant_id: number): CaptureTarget => ({ account: merchantPayable(merchant_id), entry_kind: 'capture' });
