import type { Card } from '../cards/card';
import { availableMinor, expiryOnFirstUse, spendBlocker } from '../cards/card';
import { cardById } from '../cards/card-rows';
import type { AccountId, EntryKind } from '../ledger/accounts';
import { cardAccount } from '../ledger/accounts';
import { postEntry } from '../ledger/ledger-writer';
import type { TxContext } from '../shared/context';
import { assert, fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { newId } from '../shared/ids';
import type { Hold, HoldKind } from './hold';
import { holdById } from './hold-rows';

export interface NewHold {
  kind: HoldKind;
  amount_minor: number;
  currency: string;
  ttl_ms: number;
  merchant_id?: number | null;
  call_id?: string | null;
  reference?: string | null;
  description?: string | null;
  id_prefix?: string;
}

/** Where captured money goes and how the entry is labelled. */
export interface CaptureTarget {
  account: AccountId;
  entry_kind: EntryKind;
}

/**
 * Releases this card's pending holds that are past their expiry (the sweeper does the same for
 * every card; doing it here means a spender never sees money still held by a dead hold).
 */
async function expireOverdueHoldsOfCard(ctx: TxContext, card_id: number): Promise<number> {
  const overdue = await ctx.q.all<{ id: string; amount_minor: number }>(
    "SELECT id, amount_minor FROM holds WHERE card_id = ? AND status = 'pending' AND expires_at_ms <= ?",
    [card_id, ctx.now_ms],
  );
  let released = 0;
  for (const h of overdue) released += await expireHoldRow(ctx, h.id, h.amount_minor, card_id);
  return released;
}

async function expireHoldRow(ctx: TxContext, id: string, amount_minor: number, card_id: number): Promise<number> {
  const r = await ctx.q.run("UPDATE holds SET status = 'expired', updated_at_ms = ? WHERE id = ? AND status = 'pending'", [ctx.now_ms, id]);
  if (r.changes !== 1) return 0;
  const c = await ctx.q.run('UPDATE cards SET pending_minor = pending_minor - ? WHERE id = ?', [amount_minor, card_id]);
  assert(c.changes === 1, 'card of an expiring hold exists');
  return amount_minor;
}

/**
 * Reserves `amount_minor` on a card whose row the caller has locked. Validates everything first;
 * after the checks the reservation cannot fail — the conditional UPDATE is the atomic guard that
 * available never goes below zero, backed by the table's CHECK constraint.
 */
/** Everything checked before a spend; after this point the reservation or charge cannot fail but for a race the conditional UPDATE catches. */
async function checkSpend(ctx: TxContext, card: Card, h: Pick<NewHold, 'amount_minor' | 'currency' | 'kind'>): Promise<Result<true>> {
  if (!Number.isSafeInteger(h.amount_minor) || h.amount_minor <= 0) return fail('validation_error', 'amount must be a positive integer of minor units');
  if (h.currency !== card.currency) return fail('currency_mismatch', `the card is in ${card.currency}, not ${h.currency}`);
  // A call's chunks are reserved by a call that passed its login: a PIN lock since then does not cut it.
  const blocker = spendBlocker(card, ctx.now_ms, { pinLock: h.kind !== 'call' });
  if (blocker) return fail(blocker, blockerMessage(blocker));
  if (availableMinor(card) < h.amount_minor) {
    const released = await expireOverdueHoldsOfCard(ctx, card.id);
    card.pending_minor -= released;
    if (availableMinor(card) < h.amount_minor) {
      return fail('insufficient_funds', 'the card does not have enough available balance', { available_minor: availableMinor(card) });
    }
  }
  return ok(true);
}

/** The row of a new hold on `card`, born pending or captured. */
export function newHoldRow(ctx: TxContext, card: Pick<Card, 'id'>, h: NewHold, status: 'pending' | 'captured'): Hold {
  return {
    id: newId(h.id_prefix ?? 'hold'),
    card_id: card.id,
    kind: h.kind,
    merchant_id: h.merchant_id ?? null,
    call_id: h.call_id ?? null,
    currency: h.currency,
    amount_minor: h.amount_minor,
    captured_minor: status === 'captured' ? h.amount_minor : 0,
    refunded_minor: 0,
    status,
    reference: h.reference ?? null,
    description: h.description ?? null,
    expires_at_ms: ctx.now_ms + h.ttl_ms,
    created_at_ms: ctx.now_ms,
    updated_at_ms: ctx.now_ms,
  };
}

export async function insertHold(ctx: TxContext, hold: Hold): Promise<void> {
  await ctx.q.run(
    'INSERT INTO holds (id, card_id, kind, merchant_id, call_id, currency, amount_minor, captured_minor, refunded_minor, status, reference, description, expires_at_ms, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)',
    [hold.id, hold.card_id, hold.kind, hold.merchant_id, hold.call_id, hold.currency, hold.amount_minor, hold.captured_minor, hold.status, hold.reference, hold.description, hold.expires_at_ms, hold.created_at_ms, hold.updated_at_ms],
  );
}

/**
 * Reserves `amount_minor` on a card whose row the caller has locked. Validates everything first;
 * after the checks the reservation cannot fail — the conditional UPDATE is the atomic guard that
 * available never goes below zero, backed by the table's CHECK constraint. Updates `card` in place.
 */
export async function createHold(ctx: TxContext, card: Card, h: NewHold): Promise<Result<Hold>> {
  const checked = await checkSpend(ctx, card, h);
  if (!checked.ok) return checked;
  const expires = card.first_used_at_ms === null ? expiryOnFirstUse(card, ctx.now_ms) : card.expires_at_ms;
  const r = await ctx.q.run(
    'UPDATE cards SET pending_minor = pending_minor + ?, first_used_at_ms = COALESCE(first_used_at_ms, ?), expires_at_ms = ? WHERE id = ? AND balance_minor - pending_minor >= ?',
    [h.amount_minor, ctx.now_ms, expires, card.id, h.amount_minor],
  );
  if (r.changes !== 1) return fail('insufficient_funds', 'the card does not have enough available balance');
  card.pending_minor += h.amount_minor;
  card.first_used_at_ms ??= ctx.now_ms;
  card.expires_at_ms = expires;
  const hold = newHoldRow(ctx, card, h, 'pending');
  await insertHold(ctx, hold);
  return ok(hold);
}

/**
 * Authorize-and-capture in one step (a hold born captured): the same checks as createHold, then
 * one conditional UPDATE moves the balance, and one entry books it. Updates `card` in place.
 */
export async function chargeNow(ctx: TxContext, card: Card, h: NewHold, target: CaptureTarget): Promise<Result<Hold>> {
  const checked = await checkSpend(ctx, card, h);
  if (!checked.ok) return checked;
  const expires = card.first_used_at_ms === null ? expiryOnFirstUse(card, ctx.now_ms) : card.expires_at_ms;
  const r = await ctx.q.run(
    'UPDATE cards SET balance_minor = balance_minor - ?, first_used_at_ms = COALESCE(first_used_at_ms, ?), expires_at_ms = ? WHERE id = ? AND balance_minor - pending_minor >= ?',
    [h.amount_minor, ctx.now_ms, expires, card.id, h.amount_minor],
  );
  if (r.changes !== 1) return fail('insufficient_funds', 'the card does not have enough available balance');
  card.balance_minor -= h.amount_minor;
  card.first_used_at_ms ??= ctx.now_ms;
  card.expires_at_ms = expires;
  const hold = newHoldRow(ctx, card, h, 'captured');
  await insertHold(ctx, hold);
  await bookCharge(ctx, hold, target);
  return ok(hold);
}

/**
 * The entry of a hold born captured, whose card balance the caller has already moved (in the same
 * conditional UPDATE that checked the money was there).
 */
export async function bookCharge(ctx: TxContext, hold: Hold, target: CaptureTarget): Promise<void> {
  await postEntry(ctx.q, ctx.now_ms, {
    kind: target.entry_kind,
    card_id: hold.card_id,
    hold_id: hold.id,
    reference: hold.reference,
    balances_applied_for: [hold.card_id],
    postings: [
      { account: cardAccount(hold.card_id), card_id: hold.card_id, amount_minor: -hold.amount_minor, currency: hold.currency },
      { account: target.account, card_id: null, amount_minor: hold.amount_minor, currency: hold.currency },
    ],
  });
}

/**
 * Captures `amount_minor` (default: all) of a hold; the rest is released. A hold that has
 * expired can still be captured when the card still has the money available (Stripe-like
 * "capture after expiry succeeds if the money is still there").
 */
export async function captureHold(ctx: TxContext, hold_id: string, amount_minor: number | undefined, target: CaptureTarget): Promise<Result<Hold>> {
  const { q, now_ms } = ctx;
  const hold = await holdById(q, hold_id, true);
  if (!hold) return fail('not_found', 'no such authorization');
  if (hold.status === 'captured' || hold.status === 'voided') return fail('invalid_state', `the authorization is already ${hold.status}`);
  const amount = amount_minor ?? hold.amount_minor;
  if (!Number.isSafeInteger(amount) || amount <= 0) return fail('validation_error', 'capture amount must be a positive integer of minor units');
  if (amount > hold.amount_minor) return fail('validation_error', `capture amount is more than the ${hold.amount_minor} authorized`);
  if (hold.status === 'pending' && hold.expires_at_ms <= now_ms) {
    await expireHoldRow(ctx, hold.id, hold.amount_minor, hold.card_id);
    hold.status = 'expired';
  }
  if (hold.status === 'pending') {
    const r = await q.run('UPDATE cards SET pending_minor = pending_minor - ? WHERE id = ?', [hold.amount_minor, hold.card_id]);
    assert(r.changes === 1, 'card of a pending hold exists');
  } else {
    // Expired: its reservation is gone; the money must still be available now.
    const card = await cardById(q, hold.card_id, true);
    assert(card, 'card of an expired hold exists');
    if (availableMinor(card) < amount) return fail('insufficient_funds', 'the authorization expired and the card no longer has the money available');
  }
  await postEntry(q, now_ms, {
    kind: target.entry_kind,
    card_id: hold.card_id,
    hold_id: hold.id,
    reference: hold.reference,
    postings: [
      { account: cardAccount(hold.card_id), card_id: hold.card_id, amount_minor: -amount, currency: hold.currency },
      { account: target.account, card_id: null, amount_minor: amount, currency: hold.currency },
    ],
  });
  await q.run("UPDATE holds SET status = 'captured', captured_minor = ?, updated_at_ms = ? WHERE id = ?", [amount, now_ms, hold.id]);
  return ok({ ...hold, status: 'captured', captured_minor: amount, updated_at_ms: now_ms });
}

export async function voidHold(ctx: TxContext, hold_id: string): Promise<Result<Hold>> {
  const { q, now_ms } = ctx;
  const hold = await holdById(q, hold_id, true);
  if (!hold) return fail('not_found', 'no such authorization');
  if (hold.status !== 'pending') return fail('invalid_state', `the authorization is already ${hold.status}`);
  await q.run("UPDATE holds SET status = 'voided', updated_at_ms = ? WHERE id = ?", [now_ms, hold.id]);
  const r = await q.run('UPDATE cards SET pending_minor = pending_minor - ? WHERE id = ?', [hold.amount_minor, hold.card_id]);
  assert(r.changes === 1, 'card of a pending hold exists');
  return ok({ ...hold, status: 'voided', updated_at_ms: now_ms });
}

/**
 * Expires up to `limit` overdue holds. Safe to run in several processes at once: each hold is
 * flipped by a conditional UPDATE that only one transaction can win.
 */
export async function expireOverdueHolds(ctx: TxContext, limit: number): Promise<number> {
  const overdue = await ctx.q.all<{ id: string; amount_minor: number; card_id: number }>(
    "SELECT id, amount_minor, card_id FROM holds WHERE status = 'pending' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?",
    [ctx.now_ms, limit],
  );
  let n = 0;
  for (const h of overdue) if ((await expireHoldRow(ctx, h.id, h.amount_minor, h.card_id)) > 0) n++;
  return n;
}

export function blockerMessage(code: string): string {
  switch (code) {
    case 'card_locked': return 'too many wrong PINs: the card is locked for a while';
    case 'card_inactive': return 'the card is not activated yet';
    case 'card_suspended': return 'the card is suspended';
    case 'card_closed': return 'the card is closed';
    case 'card_expired': return 'the card has expired';
    default: return 'the card cannot be used';
  }
}
