import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { cardAccount, EQUITY_ADJUSTMENTS, FUNDING_RECHARGE, INCOME_BREAKAGE } from '../ledger/accounts';
import { postEntry } from '../ledger/ledger-writer';
import type { Card, CardStatus } from './card';
import { availableMinor, canTransition, creditBlocker, expiryOnActivation, isExpired } from './card';
import { cardById, VISIBLE_CARD } from './card-rows';

/** Operator status change (activate, suspend, close) following the card's transition table. */
export async function setCardStatus(ctx: TxContext, card_id: number, to: CardStatus): Promise<Result<Card>> {
  const card = await cardById(ctx.q, card_id, true);
  if (!card) return fail('not_found', 'no such card');
  if (card.status === to) return ok(card);
  if (!canTransition(card.status, to)) return fail('invalid_state', `a ${card.status} card cannot become ${to}`);
  if (to === 'active' && card.activated_at_ms === null) {
    const expires = expiryOnActivation(card, ctx.now_ms);
    await ctx.q.run('UPDATE cards SET status = ?, activated_at_ms = ?, expires_at_ms = ? WHERE id = ?', [to, ctx.now_ms, expires, card_id]);
    return ok({ ...card, status: to, activated_at_ms: ctx.now_ms, expires_at_ms: expires });
  }
  await ctx.q.run('UPDATE cards SET status = ? WHERE id = ?', [to, card_id]);
  return ok({ ...card, status: to });
}

/** What an operator unlock cleared. */
export interface PinUnlock {
  card: Card;
  /** False when the card had nothing to clear (no lock, no failures or lockouts counted). */
  changed: boolean;
  was: Pick<Card, 'pin_failures' | 'pin_lockouts' | 'locked_until_ms' | 'pin_blocked_at_ms'>;
}

/**
 * Operator unlock (`prepaid cards unlock`): clears the PIN lock (timed or until-unlocked) and both
 * counters, so the card starts afresh with `pin_max_failures` tries. Does not change the card's
 * status (a suspended card stays suspended).
 */
export async function unlockCardPin(ctx: TxContext, card_id: number): Promise<Result<PinUnlock>> {
  const card = await cardById(ctx.q, card_id, true);
  if (!card) return fail('not_found', 'no such card');
  const was = { pin_failures: card.pin_failures, pin_lockouts: card.pin_lockouts, locked_until_ms: card.locked_until_ms, pin_blocked_at_ms: card.pin_blocked_at_ms };
  const changed = card.pin_failures !== 0 || card.pin_lockouts !== 0 || card.locked_until_ms !== null || card.pin_blocked_at_ms !== null;
  if (changed) await ctx.q.run('UPDATE cards SET pin_failures = 0, pin_lockouts = 0, locked_until_ms = NULL, pin_blocked_at_ms = NULL WHERE id = ?', [card_id]);
  return ok({ card: { ...card, pin_failures: 0, pin_lockouts: 0, locked_until_ms: null, pin_blocked_at_ms: null }, changed, was });
}

/** Operator adjustment (+ or −) with a reason and the operator's name. Never takes a card below its held money. */
export async function adjustCard(ctx: TxContext, card_id: number, amount_minor: number, reason: string, actor: string): Promise<Result<Card>> {
  if (!Number.isSafeInteger(amount_minor) || amount_minor === 0) return fail('validation_error', 'amount must be a non-zero integer of minor units');
  if (!reason.trim()) return fail('validation_error', 'an adjustment needs a reason');
  const card = await cardById(ctx.q, card_id, true);
  if (!card) return fail('not_found', 'no such card');
  if (card.status === 'closed') return fail('card_closed', 'the card is closed');
  if (amount_minor < 0 && availableMinor(card) < -amount_minor) return fail('insufficient_funds', 'the adjustment would take the card below zero available');
  await postEntry(ctx.q, ctx.now_ms, {
    kind: 'adjustment', card_id, reason, actor,
    postings: [
      { account: cardAccount(card_id), card_id, amount_minor, currency: card.currency },
      { account: EQUITY_ADJUSTMENTS, card_id: null, amount_minor: -amount_minor, currency: card.currency },
    ],
  });
  return ok({ ...card, balance_minor: card.balance_minor + amount_minor });
}

/** A paid recharge (web shop): value from funding:recharge. */
export async function rechargeCard(ctx: TxContext, card_id: number, amount_minor: number, currency: string, reference: string | null): Promise<Result<Card>> {
  if (!Number.isSafeInteger(amount_minor) || amount_minor <= 0) return fail('validation_error', 'amount must be a positive integer of minor units');
  const card = await cardById(ctx.q, card_id, true);
  if (!card) return fail('not_found', 'no such card');
  if (card.currency !== currency) return fail('currency_mismatch', `the card is in ${card.currency}, not ${currency}`);
  const blocker = creditBlocker(card, ctx.now_ms);
  if (blocker) return fail(blocker, `the card cannot be recharged (${blocker.replace('card_', '')})`);
  await postEntry(ctx.q, ctx.now_ms, {
    kind: 'recharge', card_id, reference,
    postings: [
      { account: cardAccount(card_id), card_id, amount_minor, currency },
      { account: FUNDING_RECHARGE, card_id: null, amount_minor: -amount_minor, currency },
    ],
  });
  return ok({ ...card, balance_minor: card.balance_minor + amount_minor });
}

/**
 * Moves a voucher card's whole available balance onto `target` in one entry (recharge by phone
 * from a voucher). Rows are locked in id order so two opposite transfers cannot deadlock.
 */
export async function transferAll(ctx: TxContext, from_id: number, to_id: number, reference: string | null): Promise<Result<{ amount_minor: number; currency: string }>> {
  if (from_id === to_id) return fail('validation_error', 'a card cannot recharge itself');
  const [a, b] = from_id < to_id ? [from_id, to_id] : [to_id, from_id];
  const first = await cardById(ctx.q, a, true);
  const second = await cardById(ctx.q, b, true);
  const from = from_id === a ? first : second;
  const to = from_id === a ? second : first;
  if (!from || !to) return fail('not_found', 'no such card');
  if (from.currency !== to.currency) return fail('currency_mismatch', 'the voucher is in another currency');
  const toBlocker = creditBlocker(to, ctx.now_ms);
  if (toBlocker) return fail(toBlocker, 'the card cannot be recharged');
  if (from.status !== 'active' || isExpired(from, ctx.now_ms)) return fail(from.status === 'active' ? 'card_expired' : `card_${from.status}` as 'card_inactive', 'the voucher cannot be used');
  const amount_minor = availableMinor(from);
  if (amount_minor <= 0) return fail('insufficient_funds', 'the voucher is empty');
  await postEntry(ctx.q, ctx.now_ms, {
    kind: 'transfer', card_id: to_id, reference,
    postings: [
      { account: cardAccount(from_id), card_id: from_id, amount_minor: -amount_minor, currency: from.currency },
      { account: cardAccount(to_id), card_id: to_id, amount_minor, currency: to.currency },
    ],
  });
  return ok({ amount_minor, currency: to.currency });
}

/** Books the remaining value of expired cards (nothing held) as breakage. Bounded per run. */
export async function recordBreakage(ctx: TxContext, limit: number): Promise<number> {
  const rows = await ctx.q.all<{ id: number; balance_minor: number; currency: string }>(
    `SELECT id, balance_minor, currency FROM cards WHERE expires_at_ms IS NOT NULL AND expires_at_ms <= ? AND balance_minor > 0 AND pending_minor = 0 AND ${VISIBLE_CARD} LIMIT ?`,
    [ctx.now_ms, limit],
  );
  for (const c of rows) {
    const card = await cardById(ctx.q, c.id, true);
    if (!card || card.balance_minor <= 0 || card.pending_minor !== 0) continue;
    await postEntry(ctx.q, ctx.now_ms, {
      kind: 'breakage', card_id: c.id, reason: 'card expired',
      postings: [
        { account: cardAccount(c.id), card_id: c.id, amount_minor: -card.balance_minor, currency: card.currency },
        { account: INCOME_BREAKAGE, card_id: null, amount_minor: card.balance_minor, currency: card.currency },
      ],
    });
  }
  return rows.length;
}
