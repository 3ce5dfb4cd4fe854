import type { BillingPolicy, TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { Card, PinLock } from './card';
import { pinLockOf } from './card';
import { normalizeCardNumber } from './card-number';
import { cardByNumberHash } from './card-rows';
import { numberHashOf } from './credentials';
import { SecretHasher } from './secrets';
import { lockedKeys, recordSourceFailure, throttleRule } from './throttle';

const INVALID = 'card number or PIN is not valid';

/** Where an attempt comes from, as the channel knows it. Failures count against every key given. */
export interface AuthSource {
  /**
   * The throttle key of the source, e.g. `ip:203.0.113.9` (site; the API's end customer) or
   * `caller:+15551234567` (IVR), under the per-source rule (`source_max_failures`). Undefined when
   * the channel knows none.
   */
  throttle_key?: string;
  /**
   * `merchant:<id>` on the settlement API: the merchant's own budget of failures
   * (`merchant_max_failures`, higher: one merchant server speaks for all its customers).
   */
  merchant_key?: string;
}

/** Which of a source's keys is throttled now: `merchant` before `source`; null when none is. */
export async function throttledSource(ctx: Pick<TxContext, 'q' | 'now_ms'>, source: AuthSource): Promise<'merchant' | 'source' | null> {
  const { merchant_key, throttle_key } = source;
  const locked = await lockedKeys(ctx, [merchant_key, throttle_key].filter((k) => k !== undefined)); // both in one read
  if (merchant_key !== undefined && locked.has(merchant_key)) return 'merchant';
  if (throttle_key !== undefined && locked.has(throttle_key)) return 'source';
  return null;
}

/**
 * Whether attempts from this source are refused right now. `authenticateCard` checks it itself, in
 * its transaction; a channel may also ask first, to refuse before it asks for anything (the IVR
 * before prompting, the API before binding an Idempotency-Key).
 */
export async function sourceThrottled(ctx: Pick<TxContext, 'q' | 'now_ms'>, source: AuthSource): Promise<boolean> {
  return (await throttledSource(ctx, source)) !== null;
}

/** The answer for a throttled source, naming which budget ran out. */
export function throttledFailure<T>(which: 'merchant' | 'source'): Result<T> {
  return which === 'merchant'
    ? fail('rate_limited', 'too many failed card attempts through this merchant account (card-testing protection); try again later', { throttled: 'merchant' })
    : fail('rate_limited', 'too many failed card attempts from this source; try again later', { throttled: 'source' });
}

/**
 * THE card authentication, for every channel (API, site, IVR login and voucher), in the caller's
 * transaction: source throttle → card number → PIN → failure counting. Result codes:
 * - `rate_limited`: the source (or the merchant) is throttled; nothing is looked up or counted;
 * - `invalid_card_credentials`: unknown number or wrong PIN (the same answer for both), counted
 *   against the source and the merchant and (wrong PIN) against the card across every channel;
 *   after `pin_max_failures` the card is locked, each lockout twice as long as the one before
 *   (from `pin_lock_ms`, at most `pin_lock_max_ms`); the `pin_max_lockouts`th lockout lasts until
 *   an operator unlocks the card. A correct PIN resets both counters;
 * - `card_locked`: the card is PIN-locked (`details.locked_until_ms`, a time, or null with
 *   `details.until_unlocked` when only an operator can unlock it).
 * With `pin` null the card is identified by its number alone (recharging: anyone may top a card
 * up): an unknown number is `not_found`, counted against the source, and the card lock is not
 * consulted. Failures are WRITTEN, so the caller must commit even when this fails: it returns a
 * Result rather than throwing. Locks the card row when a PIN is checked.
 */
export async function authenticateCard(ctx: TxContext, cardNumber: string, pin: string | null, source: AuthSource = {}): Promise<Result<Card>> {
  const throttled = await throttledSource(ctx, source);
  if (throttled) return throttledFailure(throttled);
  const r = pin === null ? await cardOfNumber(ctx, cardNumber) : await checkPin(ctx, cardNumber, pin);
  if (!r.ok && (r.error.code === 'invalid_card_credentials' || r.error.code === 'not_found')) {
    if (source.merchant_key !== undefined) await recordSourceFailure(ctx, source.merchant_key, throttleRule(ctx.policy, 'merchant'));
    if (source.throttle_key !== undefined) await recordSourceFailure(ctx, source.throttle_key, throttleRule(ctx.policy, 'source'));
  }
  return r;
}

/** The `card_locked` answer for a PIN lock. */
export function lockedFailure<T>(lock: PinLock): Result<T> {
  return lock.until_ms === null
    ? fail('card_locked', 'too many wrong PINs: the card is locked until the card issuer unlocks it', { locked_until_ms: null, until_unlocked: true })
    : fail('card_locked', 'too many wrong PINs: the card is locked for a while', { locked_until_ms: lock.until_ms });
}

/** How long the `lockouts`th lockout in a row lasts: doubling from `pin_lock_ms`, capped. */
export function lockoutDurationMs(policy: BillingPolicy, lockouts: number): number {
  const doublings = Math.min(Math.max(lockouts - 1, 0), 40); // 2^40 × any sane base is past every cap
  return Math.min(policy.pin_lock_ms * 2 ** doublings, policy.pin_lock_max_ms);
}

async function checkPin(ctx: TxContext, cardNumber: string, pin: string): Promise<Result<Card>> {
  const { q, hasher, now_ms, policy } = ctx;
  const numberHash = numberHashOf(hasher, cardNumber, pin);
  if (!numberHash) return fail('invalid_card_credentials', INVALID);
  const row = await cardByNumberHash(q, numberHash, true);
  if (!row) return fail('invalid_card_credentials', INVALID);
  const lock = pinLockOf(row, now_ms);
  if (lock) return lockedFailure(lock);
  if (!SecretHasher.equal(row.pin_hash, hasher.pin(numberHash, pin))) {
    const failures = row.pin_failures + 1;
    if (failures < policy.pin_max_failures) {
      await q.run('UPDATE cards SET pin_failures = ? WHERE id = ?', [failures, row.id]);
    } else {
      const lockouts = row.pin_lockouts + 1;
      if (policy.pin_max_lockouts > 0 && lockouts >= policy.pin_max_lockouts) {
        await q.run('UPDATE cards SET pin_failures = 0, pin_lockouts = ?, locked_until_ms = NULL, pin_blocked_at_ms = ? WHERE id = ?', [lockouts, now_ms, row.id]);
      } else {
        await q.run('UPDATE cards SET pin_failures = 0, pin_lockouts = ?, locked_until_ms = ? WHERE id = ?', [lockouts, now_ms + lockoutDurationMs(policy, lockouts), row.id]);
      }
    }
    return fail('invalid_card_credentials', INVALID);
  }
  if (row.pin_failures !== 0 || row.locked_until_ms !== null || row.pin_lockouts !== 0) {
    await q.run('UPDATE cards SET pin_failures = 0, pin_lockouts = 0, locked_until_ms = NULL WHERE id = ?', [row.id]);
    row.pin_failures = 0;
    row.pin_lockouts = 0;
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
