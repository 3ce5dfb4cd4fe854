import { generateCardNumber } from '../cards/card-number';
import { creditCard, insertCard, newSerial } from '../cards/card-issue';
import { generatePin } from '../cards/pin';
import type { IssuedCard } from '../billing';
import type { EntryKind } from '../ledger/accounts';
import { FUNDING_SALES } from '../ledger/accounts';
import type { TxContext } from '../shared/context';

/** Billing.issueCard, inside a transaction the caller already holds (a sale with its order). */
export async function issueCardInTx(ctx: TxContext, input: { value_minor: number; currency: string; reference: string; entry_kind?: EntryKind }): Promise<IssuedCard> {
  // A collision of 15 random digits is astronomically rare; retry a bounded number of times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const number = generateCardNumber(ctx.policy.issuer_prefix);
    const exists = await ctx.q.one('SELECT id FROM cards WHERE number_hash = ?', [ctx.hasher.cardNumber(number)]);
    if (exists) continue;
    const pin = generatePin(ctx.policy.pin_length);
    const serial = newSerial();
    const card_id = await insertCard(ctx, { number, pin, serial, batch_id: null, currency: input.currency, status: 'active', expiry: { kind: 'none' } });
    await creditCard(ctx, card_id, input.value_minor, input.currency, FUNDING_SALES, input.entry_kind ?? 'sale', { reference: input.reference, actor: 'site' });
    return { card_id, number, pin, serial };
  }
  throw new Error('could not allocate a unique card number');
}
