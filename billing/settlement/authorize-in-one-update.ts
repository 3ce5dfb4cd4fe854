import type { AuthSource } from '../cards/card-auth';
import { NOT_THROTTLED, NOTHING_TO_CLEAR, throttleKeys } from '../cards/card-auth-one-statement';
import type { Card } from '../cards/card';
import { VISIBLE_CARD } from '../cards/card-rows';
import { numberHashOf } from '../cards/credentials';
import { bookCharge, insertHold, newHoldRow } from '../holds/hold-engine';
import { spendableCard } from '../holds/one-statement';
import type { TxContext } from '../shared/context';
import { authorizationView } from './authorization-view';
import type { AuthorizationView } from './authorization-view';
import { merchantCapture, merchantHold } from './merchant-hold';
import type { AuthorizeInput } from './settlement';

/** What the answer needs of the card, as the UPDATE left it. */
type SpentCard = Pick<Card, 'id' | 'last4' | 'balance_minor' | 'pending_minor'>;

const SPEND_SQL = `UPDATE cards SET
    balance_minor = balance_minor - ?, pending_minor = pending_minor + ?, first_used_at_ms = COALESCE(first_used_at_ms, ?)
  WHERE number_hash = ? AND pin_hash = ? AND ${VISIBLE_CARD} AND ${NOTHING_TO_CLEAR}
    AND currency = ? AND balance_minor - pending_minor >= ? AND ${spendableCard('?')} AND ${NOT_THROTTLED}
  RETURNING id, last4, balance_minor, pending_minor`;

/**
 * POST /v1/authorizations on SQLite when nothing stands in its way: ONE UPDATE finds the card by
 * its number and PIN and spends (or holds) the money, under every condition the general path
 * (`authorize`) would check — the conditions the PostgreSQL statement states too
 * (settlement-one-statement.ts): neither source key throttled, the PIN right with no failure or
 * lock to count or clear, the card visible, active, unexpired and not waiting for a first use to set
 * its expiry, in this currency, the money available without releasing overdue holds. Then the hold
 * and, when captured, its entry are written by the general path's own functions. In every other
 * case the UPDATE matches nothing and nothing is written: null, and the general path decides
 * (counts a failure, clears a lock, releases overdue holds, answers the error).
 * What it spares the general path: the throttle keys' read, the whole card row (20 columns built
 * into an object) and a second statement to move the money.
 */
export async function authorizeInOneUpdate(ctx: TxContext, merchant_id: number, input: AuthorizeInput, source: AuthSource): Promise<AuthorizationView | null> {
  const { q, hasher, now_ms } = ctx;
  const amount = input.amount;
  if (!Number.isSafeInteger(amount) || amount <= 0) return null;
  const number_hash = numberHashOf(hasher, input.card_number, input.pin);
  if (!number_hash) return null; // malformed credentials: answered and counted by the general path
  const capture = input.capture === true;
  const card = await q.one<SpentCard>(SPEND_SQL, [
    capture ? amount : 0, capture ? 0 : amount, now_ms,
    number_hash, hasher.pin(number_hash, input.pin), input.currency, amount, now_ms, now_ms, ...throttleKeys(source), now_ms,
  ]);
  if (!card) return null;
  const hold = newHoldRow(ctx, card, merchantHold(ctx, merchant_id, input), capture ? 'captured' : 'pending');
  await insertHold(ctx, hold);
  if (capture) await bookCharge(ctx, hold, merchantCapture(merchant_id));
  return authorizationView(hold, card);
}
