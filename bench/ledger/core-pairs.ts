import type { Billing } from '../../billing/billing';
import type { captureHoldNow, placeHold } from '../../billing/holds/hold-moves';
import type { merchantPayable } from '../../billing/ledger/accounts';
import { timedWorkers } from './raw-ceiling';
import type { PairRunner } from './raw-ceiling';

/** The billing core's moves a pair makes — from this tree, or from another one (bench/ledger/ab.ts). */
export interface CoreMoves { placeHold: typeof placeHold; captureHoldNow: typeof captureHoldNow; merchantPayable: typeof merchantPayable }

/** The billing core as the IVR meters calls with it (billing/holds/hold-moves.ts): placeHold then captureHoldNow, by `workers` workers. */
export function corePairs(name: string, moves: CoreMoves, billing: Billing, merchant: number, workers: number): PairRunner {
  return {
    name,
    run: (cardIds, n) => timedWorkers(workers, n, async (i) => {
      const card_id = cardIds[i % cardIds.length] as number;
      const hold = await moves.placeHold(billing, card_id, { kind: 'merchant', merchant_id: merchant, amount_minor: 1, currency: 'USD', ttl_ms: 60_000 });
      if (!hold.ok) throw hold.error;
      const cap = await moves.captureHoldNow(billing, hold.value.id, 1, { account: moves.merchantPayable(merchant), entry_kind: 'capture' });
      if (!cap.ok) throw cap.error;
    }),
    close: () => billing.db.close(),
  };
}
