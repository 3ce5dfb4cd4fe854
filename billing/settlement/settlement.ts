import { authenticateCard } from '../cards/card-auth';
import type { AuthSource } from '../cards/card-auth';
import { cardById } from '../cards/card-rows';
import type { Card } from '../cards/card';
import { availableMinor } from '../cards/card';
import { captureHold, chargeNow, createHold, voidHold } from '../holds/hold-engine';
import { holdById } from '../holds/hold-rows';
import { refundHold } from '../holds/refunds';
import type { Refund } from '../holds/refunds';
import type { TxContext } from '../shared/context';
import { assert, fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { authorizationView } from './authorization-view';
import { authorizeInOneUpdate } from './authorize-in-one-update';
import { merchantCapture, merchantHold } from './merchant-hold';
import type { AuthorizationView } from './authorization-view';

/**
 * The merchant operations, each run inside a transaction the caller opened (the HTTP handler,
 * which also records the idempotency key in the same transaction).
 */
export interface AuthorizeInput {
  card_number: string;
  pin: string;
  amount: number;
  currency: string;
  capture?: boolean;
  reference?: string | null;
  description?: string | null;
}

async function view(ctx: TxContext, hold_id: string): Promise<AuthorizationView> {
  const hold = await holdById(ctx.q, hold_id);
  assert(hold, 'hold exists');
  const card = await cardById(ctx.q, hold.card_id);
  assert(card, 'card exists');
  return authorizationView(hold, card);
}

export async function authorize(ctx: TxContext, merchant_id: number, input: AuthorizeInput, source: AuthSource = {}): Promise<Result<AuthorizationView>> {
  // SQLite: the common case in one UPDATE first (on PostgreSQL, runMoneyMove has already tried the
  // whole move as one statement, under the same conditions, before this transaction).
  if (ctx.q.dialect === 'sqlite') {
    const done = await authorizeInOneUpdate(ctx, merchant_id, input, source);
    if (done) return ok(done);
  }
  const auth = await authenticateCard(ctx, input.card_number, input.pin, source);
  if (!auth.ok) return auth;
  const card = auth.value;
  const h = merchantHold(ctx, merchant_id, input);
  // Both update `card` in place, so the answer needs no second read.
  const hold = input.capture ? await chargeNow(ctx, card, h, merchantCapture(merchant_id)) : await createHold(ctx, card, h);
  if (!hold.ok) return hold;
  return ok(authorizationView(hold.value, card));
}

async function ownHold(ctx: TxContext, merchant_id: number, id: string): Promise<Result<true>> {
  const hold = await holdById(ctx.q, id);
  if (!hold || hold.kind !== 'merchant' || hold.merchant_id !== merchant_id) return fail('not_found', 'no such authorization');
  return ok(true);
}

export async function capture(ctx: TxContext, merchant_id: number, id: string, amount?: number): Promise<Result<AuthorizationView>> {
  const own = await ownHold(ctx, merchant_id, id);
  if (!own.ok) return own;
  const r = await captureHold(ctx, id, amount, merchantCapture(merchant_id));
  if (!r.ok) return r;
  return ok(await view(ctx, id));
}

export async function voidAuthorization(ctx: TxContext, merchant_id: number, id: string): Promise<Result<AuthorizationView>> {
  const own = await ownHold(ctx, merchant_id, id);
  if (!own.ok) return own;
  const r = await voidHold(ctx, id);
  if (!r.ok) return r;
  return ok(await view(ctx, id));
}

export async function getAuthorization(ctx: TxContext, merchant_id: number, id: string): Promise<Result<AuthorizationView>> {
  const own = await ownHold(ctx, merchant_id, id);
  if (!own.ok) return own;
  return ok(await view(ctx, id));
}

export interface RefundView {
  id: string;
  authorization_id: string;
  amount: number;
  currency: string;
  reason: string | null;
  created_at: string;
  authorization: AuthorizationView;
}

export async function refund(ctx: TxContext, merchant_id: number, authorization_id: string, amount: number | undefined, reason: string | null): Promise<Result<RefundView>> {
  const r = await refundHold(ctx, authorization_id, amount, reason, merchant_id);
  if (!r.ok) return r;
  const rf: Refund = r.value.refund;
  return ok({
    id: rf.id, authorization_id: rf.authorization_id, amount: rf.amount_minor, currency: rf.currency, reason: rf.reason,
    created_at: new Date(rf.created_at_ms).toISOString(),
    authorization: await view(ctx, authorization_id),
  });
}

export interface BalanceView { last4: string; currency: string; balance: number; available: number; status: string; expires_at: string | null }

export const balanceView = (card: Card): BalanceView => ({
  last4: card.last4, currency: card.currency, balance: card.balance_minor, available: availableMinor(card), status: card.status,
  expires_at: card.expires_at_ms === null ? null : new Date(card.expires_at_ms).toISOString(),
});

export async function balance(ctx: TxContext, card_number: string, pin: string, source: AuthSource = {}): Promise<Result<BalanceView>> {
  const auth = await authenticateCard(ctx, card_number, pin, source);
  if (!auth.ok) return auth;
  return ok(balanceView(auth.value));
}
