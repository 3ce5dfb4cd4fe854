import { randomBytes } from 'node:crypto';
import { findCardByNumber } from '../cards/card-auth';
import { creditBlocker } from '../cards/card';
import { MAX_AMOUNT_MINOR } from '../money/money';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { newId } from '../shared/ids';
import type { Order } from './order';
import { orderById } from './order';

export interface NewCardOrder {
  amount_minor: number;
  currency: string;
  buyer_email: string;
  /** Keyed hash of the buyer's browser session: only that browser may reveal the card once. */
  buyer_session_hash: string | null;
  provider: string;
  gift?: { recipient_email: string; recipient_name: string; message: string | null; send_at_ms: number | null; sender_name?: string | null } | null;
}

export interface NewRechargeOrder {
  card_number: string;
  amount_minor: number;
  currency: string;
  buyer_email: string;
  buyer_session_hash: string | null;
  provider: string;
}

function checkAmount(amount_minor: number): Result<true> {
  if (!Number.isSafeInteger(amount_minor) || amount_minor <= 0 || amount_minor > MAX_AMOUNT_MINOR) return fail('validation_error', 'amount must be a positive integer of minor units');
  return ok(true);
}

/** A pending order for a new card (fulfilled later, exactly once, by `fulfilOrder`). */
export async function createCardOrder(ctx: TxContext, input: NewCardOrder): Promise<Result<Order>> {
  const a = checkAmount(input.amount_minor);
  if (!a.ok) return a;
  const id = newId('ord');
  const g = input.gift ?? null;
  await ctx.q.run(
    "INSERT INTO orders (id, kind, status, amount_minor, currency, buyer_email, buyer_session_hash, recipient_email, recipient_name, gift_message, sender_name, send_at_ms, provider, created_at_ms) VALUES (?, 'card', 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [id, input.amount_minor, input.currency, input.buyer_email, input.buyer_session_hash, g?.recipient_email ?? null, g?.recipient_name ?? null, g?.message ?? null, g?.sender_name ?? null, g?.send_at_ms ?? null, input.provider, ctx.now_ms],
  );
  return ok((await orderById(ctx.q, id))!);
}

/**
 * A pending recharge of the card with this number. No PIN is asked (anyone may top a card up),
 * so the answer for an unknown number is deliberately plain; the site throttles by IP.
 */
export async function createRechargeOrder(ctx: TxContext, input: NewRechargeOrder): Promise<Result<Order>> {
  const a = checkAmount(input.amount_minor);
  if (!a.ok) return a;
  const card = await findCardByNumber(ctx, input.card_number);
  if (!card) return fail('not_found', 'no card with this number');
  if (card.currency !== input.currency) return fail('currency_mismatch', `the card is in ${card.currency}`);
  const blocker = creditBlocker(card, ctx.now_ms);
  if (blocker) return fail(blocker, 'this card cannot be recharged');
  const id = newId('ord');
  await ctx.q.run(
    "INSERT INTO orders (id, kind, status, amount_minor, currency, buyer_email, buyer_session_hash, card_id, card_last4, provider, created_at_ms) VALUES (?, 'recharge', 'pending', ?, ?, ?, ?, ?, ?, ?, ?)",
    [id, input.amount_minor, input.currency, input.buyer_email, input.buyer_session_hash, card.id, card.last4, input.provider, ctx.now_ms],
  );
  return ok((await orderById(ctx.q, id))!);
}

export async function attachProviderSession(ctx: Pick<TxContext, 'q'>, order_id: string, provider_session_id: string): Promise<void> {
  await ctx.q.run('UPDATE orders SET provider_session_id = ? WHERE id = ? AND provider_session_id IS NULL', [provider_session_id, order_id]);
}

/** A fresh one-time claim token for a gift link (the URL carries it; only its keyed hash is stored). */
export const newClaimToken = (): string => randomBytes(24).toString('base64url');

/** A fresh one-time token for a buyer's reveal link (the receipt carries it; only its keyed hash is stored). */
export const newRevealToken = (): string => randomBytes(24).toString('base64url');
