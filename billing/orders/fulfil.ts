import { rechargeCard } from '../cards/card-admin';
import { enqueueMail } from '../mail/outbox';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import { issueCardInTx } from './issue-in-tx';
import type { Order, SealedCard } from './order';
import { isGift, orderById } from './order';
import { newClaimToken, newRevealToken } from './orders';
import { DEFAULT_REVEAL_LINK_TTL_MS } from './reveal-link';
import type { SecretBox } from './secret-box';

/** A payment the provider confirmed (by redirect, by webhook, or both, any number of times). */
export interface ConfirmedPayment {
  order_id: string;
  provider: string;
  payment_id: string;
  amount_minor: number;
  currency: string;
}

export interface Fulfilment {
  order: Order;
  /** False when this payment had already been applied (a replayed notification): nothing was done. */
  applied_now: boolean;
}

export interface FulfilOptions {
  /** How long the receipt's one-time link to a buyer's own card works (a new one can be asked for). */
  reveal_link_ttl_ms: number;
}

/**
 * Applies a confirmed payment to its order exactly once, in the caller's transaction: issues the
 * card (a `sale` entry) or books the recharge (a `recharge` entry), seals the new card's secrets
 * (with the gift's claim token, or the buyer's one-time reveal link token), and writes the receipt
 * (and the gift mail, scheduled on its date) to the outbox — all or nothing.
 * The order row is locked first, and `provider_payment_id` is unique, so concurrent or repeated
 * deliveries of the same payment apply once.
 */
export async function fulfilOrder(ctx: TxContext, box: SecretBox, p: ConfirmedPayment, o: FulfilOptions = { reveal_link_ttl_ms: DEFAULT_REVEAL_LINK_TTL_MS }): Promise<Result<Fulfilment>> {
  const order = await orderById(ctx.q, p.order_id, true);
  if (!order) return fail('not_found', 'no such order');
  if (order.provider !== p.provider) return fail('validation_error', 'payment from another provider');
  if (order.status !== 'pending') {
    if (order.provider_payment_id === p.payment_id) return ok({ order, applied_now: false });
    // A second, different payment for an order already settled: never issue twice; an operator refunds it.
    return fail('invalid_state', 'the order was already settled by another payment', { order_id: order.id });
  }
  if (p.amount_minor !== order.amount_minor || p.currency !== order.currency) {
    await ctx.q.run("UPDATE orders SET status = 'failed', failure_code = 'amount_mismatch', provider_payment_id = ? WHERE id = ?", [p.payment_id, order.id]);
    return fail('validation_error', 'the payment does not match the order amount', { order_id: order.id });
  }

  if (order.kind === 'card') {
    const issued = await issueCardInTx(ctx, { value_minor: order.amount_minor, currency: order.currency, reference: order.id });
    const gift = isGift(order);
    const claim_token = gift ? newClaimToken() : undefined;
    const reveal_token = gift ? undefined : newRevealToken();
    const sealed: SealedCard = { number: issued.number, pin: issued.pin, ...(claim_token ? { claim_token } : {}), ...(reveal_token ? { reveal_token } : {}) };
    await ctx.q.run(
      "UPDATE orders SET status = 'fulfilled', provider_payment_id = ?, card_id = ?, card_last4 = ?, secret_enc = ?, claim_token_hash = ?, reveal_token_hash = ?, reveal_expires_at_ms = ?, fulfilled_at_ms = ? WHERE id = ?",
      [
        p.payment_id, issued.card_id, issued.number.slice(-4), box.seal(JSON.stringify(sealed), order.id),
        claim_token ? ctx.hasher.token('gift-claim', claim_token) : null,
        reveal_token ? ctx.hasher.token('card-reveal', reveal_token) : null, reveal_token ? ctx.now_ms + o.reveal_link_ttl_ms : null,
        ctx.now_ms, order.id,
      ],
    );
    await enqueueMail(ctx.q, ctx.now_ms, { kind: 'receipt', order_id: order.id, to_address: order.buyer_email });
    if (gift) await enqueueMail(ctx.q, ctx.now_ms, { kind: 'gift', order_id: order.id, to_address: order.recipient_email!, send_at_ms: order.send_at_ms });
  } else {
    const r = await rechargeCard(ctx, order.card_id!, order.amount_minor, order.currency, order.id);
    // Paid but not applicable (the card was closed or suspended since): recorded, the receipt says so, an operator refunds.
    await ctx.q.run('UPDATE orders SET status = ?, provider_payment_id = ?, failure_code = ?, fulfilled_at_ms = ? WHERE id = ?', [
      r.ok ? 'fulfilled' : 'failed', p.payment_id, r.ok ? null : r.error.code, ctx.now_ms, order.id,
    ]);
    await enqueueMail(ctx.q, ctx.now_ms, { kind: 'receipt', order_id: order.id, to_address: order.buyer_email });
  }
  return ok({ order: (await orderById(ctx.q, order.id))!, applied_now: true });
}
