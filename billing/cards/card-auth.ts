import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { Card } from './card';
import { normalizeCardNumber } from './card-number';
import { cardByNumberHash } from './card-rows';
import { SecretHasher } from './secrets';

const INVALID = 'card number or PIN is not valid';

/**
 * Checks a card number + PIN, counting failures per card across every channel (phone, site, API).
 * After `pin_max_failures` failures the card is locked for `pin_lock_ms`. Unknown number and wrong
 * PIN give the same answer. A failure is WRITTEN, so the caller must commit even when this fails:
 * it returns a Result rather than throwing. Locks the card row.
 */
export async function authenticateCard(ctx: TxContext, cardNumber: string, pin: string): Promise<Result<Card>> {
  const { q, hasher, now_ms, policy } = ctx;
  const normalized = normalizeCardNumber(cardNumber);
  if (!normalized || !/^\d{1,12}$/.test(pin)) return fail('invalid_card_credentials', INVALID);
  const numberHash = hasher.cardNumber(normalized);
  const row = await cardByNumberHash(q, numberHash, true);
  if (!row) return fail('invalid_card_credentials', INVALID);
  if (row.locked_until_ms !== null && row.locked_until_ms > now_ms) {
    return fail('card_locked', 'too many wrong PINs: the card is locked for a while', { locked_until_ms: row.locked_until_ms });
  }
  if (!SecretHasher.equal(row.pin_hash, hasher.pin(numberHash, pin))) {
    const failures = row.pin_failures + 1;
    if (failures >= policy.pin_max_failures) {
      await q.run('UPDATE cards SET pin_failures = 0, locked_until_ms = ? WHERE id = ?', [now_ms + policy.pin_lock_ms, row.id]);
    } else {
      await q.run('UPDATE cards SET pin_failures = ? WHERE id = ?', [failures, row.id]);
    }
    return fail('invalid_card_credentials', INVALID);
  }
  if (row.pin_failures !== 0 || row.locked_until_ms !== null) {
    await q.run('UPDATE cards SET pin_failures = 0, locked_until_ms = NULL WHERE id = ?', [row.id]);
    row.pin_failures = 0;
    row.locked_until_ms = null;
  }
  const { number_hash: _n, pin_hash: _p, ...card } = row;
  return ok(card);
}

/** Looks a card up by number alone (recharge on the site, registered phones): no PIN, no counting. */
export async function findCardByNumber(ctx: Pick<TxContext, 'q' | 'hasher'>, cardNumber: string): Promise<Card | undefined> {
  const normalized = normalizeCardNumber(cardNumber);
  if (!normalized) return undefined;
  const row = await cardByNumberHash(ctx.q, ctx.hasher.cardNumber(normalized));
  if (!row) return undefined;
  const { number_hash: _n, pin_hash: _p, ...card } = row;
  return card;
}
