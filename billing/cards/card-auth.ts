import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { Card } from './card';
import { normalizeCardNumber } from './card-number';
import { cardByNumberHash } from './card-rows';
import { SecretHasher } from './secrets';
import { isThrottled, recordSourceFailure } from './throttle';

const INVALID = 'card number or PIN is not valid';

/** Where an attempt comes from, as the channel knows it. */
export interface AuthSource {
  /**
   * The throttle key of the source, e.g. `ip:203.0.113.9` (site, API) or `caller:+15551234567` (IVR):
   * failures are counted per key and a throttled key is refused. Undefined when the channel knows none.
   */
  throttle_key?: string;
}

/**
 * Whether attempts from this source are refused right now. `authenticateCard` checks it itself, in
 * its transaction; a channel may also ask first, to refuse before it asks for anything (the IVR
 * before prompting, the API before binding an Idempotency-Key).
 */
export async function sourceThrottled(ctx: Pick<TxContext, 'q' | 'now_ms'>, source: AuthSource): Promise<boolean> {
  return source.throttle_key !== undefined && isThrottled(ctx, source.throttle_key);
}

/**
 * THE card authentication, for every channel (API, site, IVR login and voucher), in the caller's
 * transaction: source throttle → card number → PIN → failure counting. Result codes:
 * - `rate_limited`: the source is throttled; nothing is looked up or counted;
 * - `invalid_card_credentials`: unknown number or wrong PIN (the same answer for both), counted
 *   against the source and (wrong PIN) against the card across every channel; after
 *   `pin_max_failures` the card is locked for `pin_lock_ms`;
 * - `card_locked`: too many wrong PINs on this card (its lock time in `details.locked_until_ms`).
 * With `pin` null the card is identified by its number alone (recharging: anyone may top a card
 * up): an unknown number is `not_found`, counted against the source, and the card lock is not
 * consulted. Failures are WRITTEN, so the caller must commit even when this fails: it returns a
 * Result rather than throwing. Locks the card row when a PIN is checked.
 */
export async function authenticateCard(ctx: TxContext, cardNumber: string, pin: string | null, source: AuthSource = {}): Promise<Result<Card>> {
  if (await sourceThrottled(ctx, source)) return fail('rate_limited', 'too many failed card attempts from this source; try again later');
  const r = pin === null ? await cardOfNumber(ctx, cardNumber) : await checkPin(ctx, cardNumber, pin);
  if (!r.ok && (r.error.code === 'invalid_card_credentials' || r.error.code === 'not_found') && source.throttle_key !== undefined) {
    await recordSourceFailure(ctx, source.throttle_key);
  }
  return r;
}

async function checkPin(ctx: TxContext, cardNumber: string, pin: string): Promise<Result<Card>> {
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

async function cardOfNumber(ctx: TxContext, cardNumber: string): Promise<Result<Card>> {
  const card = await findCardByNumber(ctx, cardNumber);
  return card ? ok(card) : fail('not_found', 'no card with this number');
}

/** Looks a card up by number alone: no PIN, no counting (`authenticateCard` with a null PIN counts). */
export async function findCardByNumber(ctx: Pick<TxContext, 'q' | 'hasher'>, cardNumber: string): Promise<Card | undefined> {
  const normalized = normalizeCardNumber(cardNumber);
  if (!normalized) return undefined;
  const row = await cardByNumberHash(ctx.q, ctx.hasher.cardNumber(normalized));
  if (!row) return undefined;
  const { number_hash: _n, pin_hash: _p, ...card } = row;
  return card;
}
