import { enqueueMail, supersedePendingMail } from '../mail/outbox';
import type { TxContext } from '../shared/context';
import { fail, ok } from '../shared/errors';
import type { Result } from '../shared/errors';
import type { Order, SealedCard } from './order';
import { isGift, orderById, orderByRevealHash } from './order';
import { newRevealToken } from './orders';
import { openSealed } from './reveal';
import type { SecretBox } from './secret-box';

/**
 * The one-time link to a buyer's own card, carried by the receipt mail: a buyer who closed the tab
 * before the reveal still gets the card, once. Like a gift's claim link: the URL carries a random
 * token, only its keyed hash is stored, the token itself is sealed with the card's secrets (the mail
 * is rendered at send time) and erased with them by the one reveal — in the buying browser or here,
 * whichever comes first. The link expires; the buyer can have a new one mailed (to the buyer's own
 * address only), which makes the previous link stop working.
 */
export const DEFAULT_REVEAL_LINK_TTL_MS = 7 * 86_400_000;
/** New links a buyer may ask for per order (each one is a mail to the buyer's address). */
export const MAX_REVEAL_LINKS = 5;

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export type RevealLinkState = 'open' | 'shown' | 'expired';

export function revealLinkState(o: Order, now_ms: number): RevealLinkState {
  if (o.revealed_at_ms !== null || !o.secret_enc) return 'shown';
  if (o.reveal_expires_at_ms !== null && o.reveal_expires_at_ms <= now_ms) return 'expired';
  return 'open';
}

const isOwnCard = (o: Order): boolean => o.kind === 'card' && !isGift(o);

/** The order behind a reveal link, without its secrets (the GET of the link consumes nothing). */
export async function orderByRevealToken(ctx: Pick<TxContext, 'q' | 'hasher'>, token: string): Promise<Order | undefined> {
  if (!TOKEN.test(token)) return undefined;
  return orderByRevealHash(ctx.q, ctx.hasher.token('card-reveal', token));
}

/** The one reveal of a buyer's card through the link; `invalid_state` says `reason: shown | expired`. */
export async function revealByLink(ctx: TxContext, box: SecretBox, token: string): Promise<Result<{ number: string; pin: string; order: Order }>> {
  if (!TOKEN.test(token)) return fail('not_found', 'no such link');
  const order = await orderByRevealHash(ctx.q, ctx.hasher.token('card-reveal', token), true);
  if (!order || !isOwnCard(order) || order.status !== 'fulfilled') return fail('not_found', 'no such link');
  const state = revealLinkState(order, ctx.now_ms);
  if (state !== 'open') return fail('invalid_state', state === 'shown' ? 'the card was already shown' : 'the link has expired', { reason: state });
  const s = openSealed(box, order);
  if (s.reveal_token !== token) return fail('not_found', 'no such link');
  await ctx.q.run('UPDATE orders SET revealed_at_ms = ?, secret_enc = NULL WHERE id = ?', [ctx.now_ms, order.id]);
  await supersedePendingMail(ctx.q, order.id, 'reveal_link');
  return ok({ number: s.number, pin: s.pin, order });
}

/**
 * "Email me a new link": a fresh token (the previous link stops working) valid for `ttl_ms`, mailed
 * to the order's buyer address only. Bounded per order; impossible once the card was shown.
 */
export async function renewRevealLink(ctx: TxContext, box: SecretBox, order_id: string, ttl_ms: number = DEFAULT_REVEAL_LINK_TTL_MS): Promise<Result<Order>> {
  const order = await orderById(ctx.q, order_id, true);
  if (!order || !isOwnCard(order)) return fail('not_found', 'no such card order');
  if (order.status !== 'fulfilled') return fail('invalid_state', 'the order is not paid yet');
  if (order.revealed_at_ms !== null || !order.secret_enc) return fail('invalid_state', 'the card was already shown');
  const sent = await ctx.q.one<{ n: number }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE order_id = ? AND kind = 'reveal_link'", [order.id]);
  if (Number(sent?.n ?? 0) >= MAX_REVEAL_LINKS) return fail('rate_limited', 'a new link was asked for too many times');
  const s = openSealed(box, order);
  const reveal_token = newRevealToken();
  await ctx.q.run('UPDATE orders SET secret_enc = ?, reveal_token_hash = ?, reveal_expires_at_ms = ? WHERE id = ?', [
    box.seal(JSON.stringify({ ...s, reveal_token }), order.id), ctx.hasher.token('card-reveal', reveal_token), ctx.now_ms + ttl_ms, order.id,
  ]);
  await supersedePendingMail(ctx.q, order.id, 'reveal_link');
  await enqueueMail(ctx.q, ctx.now_ms, { kind: 'reveal_link', order_id: order.id, to_address: order.buyer_email });
  return ok((await orderById(ctx.q, order.id))!);
}

/** For the mail renderer: the current reveal token of a buyer's card, or undefined once shown. */
export function revealLinkSecrets(box: SecretBox, order: Order): SealedCard | undefined {
  if (!isOwnCard(order) || !order.secret_enc || order.revealed_at_ms !== null) return undefined;
  const s = openSealed(box, order);
  return s.reveal_token ? s : undefined;
}
