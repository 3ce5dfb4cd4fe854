import type { Billing } from '../../billing/billing';
import { creditCard, insertCard, newSerial } from '../../billing/cards/card-issue';
import { generateCardNumber } from '../../billing/cards/card-number';
import { generatePin } from '../../billing/cards/pin';
import { FUNDING_SALES } from '../../billing/ledger/accounts';
import { DEFAULT_POLICY } from '../../billing/shared/context';

export interface SeededCard { number: string; pin: string; card_id: number }

/**
 * `n` active USD cards, the i-th funded with `value(i)` minor units (a sale), a thousand per
 * transaction; their numbers and PINs in clear, for the bench's callers to use.
 */
export async function seedCards(billing: Billing, n: number, value: (i: number) => number): Promise<SeededCard[]> {
  const out: SeededCard[] = [];
  for (let done = 0; done < n;) {
    const k = Math.min(1000, n - done);
    const base = done;
    await billing.tx(async (ctx) => {
      for (let i = 0; i < k; i++) {
        const number = generateCardNumber(DEFAULT_POLICY.issuer_prefix);
        const pin = generatePin(4);
        const card_id = await insertCard(ctx, { number, pin, serial: newSerial(), batch_id: null, currency: 'USD', status: 'active', expiry: { kind: 'none' } });
        await creditCard(ctx, card_id, value(base + i), 'USD', FUNDING_SALES, 'sale');
        out.push({ number, pin, card_id });
      }
    });
    done += k;
  }
  return out;
}
