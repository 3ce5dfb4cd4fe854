import { enqueueMail, supersedePendingGifts, supersedePendingMail } from '../mail/outbox';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { Order, SealedCard } from './order';
import { isGift, orderByClaimHash, orderById } from './order';
import { newClaimToken } from './orders';
import type { SecretBox } from './secret-box';
import { SecretHasher } from '../cards/secrets';

const MAX_GIFT_RESENDS = 5;

export function openSealed(box: SecretBox, order: Order): SealedCard {
  return JSON.parse(box.open(order.secret_enc!, order.id)) as SealedCard;
}

/**
 * Shows a buyer's own new card (number and PIN) ONCE, to the browser session that bought it;
 * the sealed secrets are erased in the same transaction, so afterwards only last4 remains (and the
 * receipt's one-time link, billing/orders/reveal-link.ts, answers that the card was shown).
 */
export async function revealOwnCard(ctx: TxContext, box: SecretBox, order_id: string, buyer_session_hash: string): Promise<Result<{ number: string; pin: string; order: Order }>> {
  const order = await orderById(ctx.q, order_id, true);
  if (!order || order.kind !== 'card' || isGift(order)) return fail('not_found', 'no such card order');
  if (order.status !== 'fulfilled') return fail('invalid_state', 'the order is not paid yet');
  if (!order.buyer_session_hash || !SecretHasher.equal(order.buyer_session_hash, buyer_session_hash)) return fail('unauthorized', 'the card can only be shown in the browser that bought it');
  if (order.revealed_at_ms !== null || !order.secret_enc) return fail('invalid_state', 'the card number and PIN were already shown once');
  const s = openSealed(box, order);
  await ctx.q.run('UPDATE orders SET revealed_at_ms = ?, secret_enc = NULL WHERE id = ?', [ctx.now_ms, order.id]);
  await supersedePendingMail(ctx.q, order.id, 'reveal_link'); // the receipt's one-time link is dead now
  return ok({ number: s.number, pin: s.pin, order });
}

/** The gift behind a claim link, without its secrets (the GET of the link consumes nothing). */
export async function giftByClaimToken(ctx: Pick<TxContext, 'q' | 'hasher'>, token: string): Promise<Order | undefined> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
  return orderByClaimHash(ctx.q, ctx.hasher.token('gift-claim', token));
}

/** The one reveal of a gift's PIN through its link; afterwards the link answers that it was used. */
export async function claimGift(ctx: TxContext, box: SecretBox, token: string): Promise<Result<{ number: string; pin: string; order: Order }>> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return fail('not_found', 'no such gift link');
  const order = await orderByClaimHash(ctx.q, ctx.hasher.token('gift-claim', token), true);
  if (!order) return fail('not_found', 'no such gift link');
  if (order.claimed_at_ms !== null || !order.secret_enc) return fail('invalid_state', 'this gift link was already used');
  const s = openSealed(box, order);
  if (s.claim_token !== token) return fail('not_found', 'no such gift link');
  await ctx.q.run('UPDATE orders SET claimed_at_ms = ?, secret_enc = NULL WHERE id = ?', [ctx.now_ms, order.id]);
  await supersedePendingGifts(ctx.q, order.id);
  return ok({ number: s.number, pin: s.pin, order });
}

/**
 * "Resend gift email": a new claim link replaces the old one (the old link stops working), and a
 * gift mail is queued now. Bounded per order. Not possible once the gift was claimed.
 */
export async function resendGift(ctx: TxContext, box: SecretBox, order_id: string): Promise<Result<Order>> {
  const order = await orderById(ctx.q, order_id, true);
  if (!order || !isGift(order)) return fail('not_found', 'no such gift order');
  if (order.status !== 'fulfilled') return fail('invalid_state', 'the order is not paid yet');
  if (order.claimed_at_ms !== null || !order.secret_enc) return fail('invalid_state', 'the recipient already opened the gift');
  const sent = await ctx.q.one<{ n: number }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE order_id = ? AND kind = 'gift'", [order.id]);
  if (Number(sent?.n ?? 0) > MAX_GIFT_RESENDS) return fail('rate_limited', 'the gift email was resent too many times');
  const s = openSealed(box, order);
  const claim_token = newClaimToken();
  await ctx.q.run('UPDATE orders SET secret_enc = ?, claim_token_hash = ? WHERE id = ?', [
    box.seal(JSON.stringify({ ...s, claim_token }), order.id), ctx.hasher.token('gift-claim', claim_token), order.id,
  ]);
  await supersedePendingGifts(ctx.q, order.id);
  await enqueueMail(ctx.q, ctx.now_ms, { kind: 'gift', order_id: order.id, to_address: order.recipient_email!, send_at_ms: order.send_at_ms });
  return ok((await orderById(ctx.q, order.id))!);
}

/** For the gift mail renderer: the card number and current claim token, or undefined once claimed. */
export function giftSecrets(box: SecretBox, order: Order): SealedCard | undefined {
  if (!order.secret_enc || order.claimed_at_ms !== null) return undefined;
  return openSealed(box, order);
}
