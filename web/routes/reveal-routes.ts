import type { Response, Router } from 'express';
import { orderByRevealToken, revealByLink, revealLinkState } from '../../billing/orders/reveal-link';
import type { Order } from '../../billing/orders/order';
import { messageView } from '../views/message';
import { money } from '../views/format';
import { revealedCardView } from '../views/order';
import { alreadyShownView, linkExpiredView, revealLandingView } from '../views/reveal';
import type { SiteContext } from '../site-context';
import { render } from '../site-context';

/**
 * The receipt's one-time link to a buyer's own card: /reveal/<token> (a capability in the PATH, like
 * /gift/<token>). GET shows what it is and consumes nothing (mail scanners prefetch links); the POST
 * reveals the number and PIN once. Shown or expired, the link answers 410 with a clear page.
 */
export function revealRoutes(site: SiteContext, router: Router): void {
  const invalid = (res: Response) =>
    render(site, res, 404, 'Link not valid', messageView({ title: 'This link is not valid', text: 'Check that you opened the whole link from the most recent email about your card. A new link replaces the older ones.', link: { href: '/', label: 'Home' } }));
  const gone = (res: Response, order: Order) => (revealLinkState(order, site.billing.clock.now().getTime()) === 'expired'
    ? render(site, res, 410, 'Link expired', linkExpiredView(order))
    : render(site, res, 410, 'Card already shown', alreadyShownView(order, site.config.site.supportEmail)));

  router.get('/reveal/:token', async (req, res) => {
    const order = await orderByRevealToken(site.billing.read(), req.params.token);
    if (!order || order.status !== 'fulfilled') return invalid(res);
    if (revealLinkState(order, site.billing.clock.now().getTime()) !== 'open') return gone(res, order);
    render(site, res, 200, 'Your prepaid card', revealLandingView(order, req.params.token, site.csrfToken(req, res)));
  });

  router.post('/reveal/:token', async (req, res) => {
    const r = await site.billing.tx((ctx) => revealByLink(ctx, site.box, req.params.token));
    if (!r.ok) {
      if (r.error.code !== 'invalid_state') return invalid(res);
      const order = await orderByRevealToken(site.billing.read(), req.params.token);
      return order ? gone(res, order) : invalid(res);
    }
    const o = r.value.order;
    site.logger.info('card revealed by link', { order_id: o.id, card_last4: o.card_last4 });
    render(site, res, 200, 'Your card', revealedCardView({
      number: r.value.number, pin: r.value.pin, amount: money(o.amount_minor, o.currency),
      title: 'Your new card', intro: 'Here is your card. It works for phone calls and online payments right away.',
    }));
  });
}
