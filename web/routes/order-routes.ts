import type { Router } from 'express';
import { outboxOfOrder } from '../../billing/mail/outbox';
import { orderById } from '../../billing/orders/order';
import type { Order } from '../../billing/orders/order';
import { resendGift, revealOwnCard } from '../../billing/orders/reveal';
import { renewRevealLink } from '../../billing/orders/reveal-link';
import { SecretHasher } from '../../billing/cards/secrets';
import { messageView } from '../views/message';
import { orderView, revealedCardView } from '../views/order';
import { alreadyShownView } from '../views/reveal';
import { money } from '../views/format';
import type { SiteContext } from '../site-context';
import { applyPayment, ORDER_ID, render, sessionHash } from '../site-context';
import type { Request, Response } from 'express';

const NOTICES: Record<string, (o: Order) => string> = {
  cancelled: () => 'The payment was cancelled. Nothing was charged; you can try again.',
  resent: () => 'The gift email is on its way again, with a new link. The previous link no longer works.',
  'link-sent': (o) => `A new one-time link is on its way to ${o.buyer_email}. Links sent before no longer work.`,
};

export function orderRoutes(site: SiteContext, router: Router): void {
  const notFound = (res: Response) => render(site, res, 404, 'Order not found', messageView({ title: 'Order not found', text: 'There is no order at this address. Check the link in your receipt email.', link: { href: '/', label: 'Home' } }));

  async function show(req: Request, res: Response, order: Order, status = 200, extra: { notice?: string; error?: string } = {}) {
    const mails = await outboxOfOrder(site.billing.db, order.id);
    const own = !!order.buyer_session_hash && SecretHasher.equal(order.buyer_session_hash, sessionHash(site, req));
    const payUrl = order.status === 'pending' && order.provider === 'sandbox' && order.provider_session_id ? `/sandbox-pay/${order.provider_session_id}` : null;
    const notice = extra.notice ?? (typeof req.query.notice === 'string' ? NOTICES[req.query.notice]?.(order) : undefined);
    render(site, res, status, order.status === 'pending' ? 'Waiting for payment' : 'Your order', orderView({ order, mails, csrf: site.csrfToken(req, res), ownSession: own, payUrl, notice, error: extra.error, now_ms: site.billing.clock.now().getTime() }));
  }

  router.get('/orders/:id', async (req, res) => {
    const order = ORDER_ID.test(req.params.id) ? await orderById(site.billing.db, req.params.id) : undefined;
    if (!order) return notFound(res);
    await show(req, res, order);
  });

  /** The provider's return URL: asks the provider (server to server) and applies the payment if it is paid. */
  router.get('/orders/:id/return', async (req, res) => {
    const order = ORDER_ID.test(req.params.id) ? await orderById(site.billing.db, req.params.id) : undefined;
    if (!order) return notFound(res);
    if (order.status === 'pending' && order.provider_session_id) {
      const status = await site.provider.getSession(order.provider_session_id);
      if (status && status.order_id === order.id) await applyPayment(site, status);
    }
    res.redirect(303, `/orders/${order.id}`);
  });

  /**
   * The address of the reveal form, opened again (a bookmark, the address bar, another tab): once the
   * card was shown, a clear page (410) that never shows it again; before, the order page with its button.
   */
  router.get('/orders/:id/reveal', async (req, res) => {
    const order = ORDER_ID.test(req.params.id) ? await orderById(site.billing.db, req.params.id) : undefined;
    if (!order) return notFound(res);
    if (order.kind === 'card' && order.revealed_at_ms !== null) return render(site, res, 410, 'Card already shown', alreadyShownView(order, site.config.site.supportEmail));
    res.redirect(303, `/orders/${order.id}`);
  });

  router.post('/orders/:id/reveal', async (req, res) => {
    if (!ORDER_ID.test(req.params.id)) return notFound(res);
    const r = await site.billing.tx((ctx) => revealOwnCard(ctx, site.box, req.params.id, sessionHash(site, req)));
    if (!r.ok) {
      const order = await orderById(site.billing.db, req.params.id);
      if (!order) return notFound(res);
      return show(req, res, order, r.error.code === 'unauthorized' ? 403 : 409, { error: r.error.code === 'unauthorized' ? 'This is not the browser that bought the card: open the one-time link in your receipt email instead.' : 'The card number and PIN were already shown once and cannot be shown again.' });
    }
    site.logger.info('card revealed to buyer', { order_id: r.value.order.id, card_last4: r.value.order.card_last4 });
    render(site, res, 200, 'Your card', revealedCardView({
      number: r.value.number, pin: r.value.pin, amount: money(r.value.order.amount_minor, r.value.order.currency),
      title: 'Your new card', intro: 'Here is your card. It works for phone calls and online payments right away.',
    }));
  });

  /** "Email me a new link": a fresh one-time link to the card, mailed to the order's buyer address only. */
  router.post('/orders/:id/reveal-link', async (req, res) => {
    if (!ORDER_ID.test(req.params.id)) return notFound(res);
    const r = await site.billing.tx((ctx) => renewRevealLink(ctx, site.box, req.params.id, site.config.site.revealLinkTtlMs));
    if (!r.ok) {
      const order = await orderById(site.billing.db, req.params.id);
      if (!order || r.error.code === 'not_found') return notFound(res); // no such order, or a gift / recharge (no card link)
      const text = r.error.code === 'rate_limited'
        ? `A new link was sent too many times. Write to ${site.config.site.supportEmail} with the order number.`
        : order.status === 'fulfilled' ? 'The card number and PIN were already shown, so there is no link to send.' : 'The order is not paid yet.';
      return show(req, res, order, r.error.code === 'rate_limited' ? 429 : 409, { error: text });
    }
    site.logger.info('card reveal link renewed', { order_id: r.value.id });
    site.outbox.wake();
    res.redirect(303, `/orders/${r.value.id}?notice=link-sent`);
  });

  router.post('/orders/:id/resend', async (req, res) => {
    if (!ORDER_ID.test(req.params.id)) return notFound(res);
    const r = await site.billing.tx((ctx) => resendGift(ctx, site.box, req.params.id));
    if (!r.ok) {
      const order = await orderById(site.billing.db, req.params.id);
      if (!order) return notFound(res);
      const text = r.error.code === 'rate_limited' ? 'The gift email was resent too many times. Contact support.' : 'The gift can no longer be resent: the recipient already opened it.';
      return show(req, res, order, 409, { error: text });
    }
    site.logger.info('gift email resent', { order_id: r.value.id });
    site.outbox.wake();
    res.redirect(303, `/orders/${r.value.id}?notice=resent`);
  });
}
