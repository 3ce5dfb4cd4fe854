import type { Router } from 'express';
import { claimGift, giftByClaimToken } from '../../billing/orders/reveal';
import { giftLandingView, giftUsedView } from '../views/gift';
import { messageView } from '../views/message';
import { money } from '../views/format';
import { revealedCardView } from '../views/order';
import type { SiteContext } from '../site-context';
import { render } from '../site-context';

/**
 * The gift link: /gift/<token> (a capability in the PATH). GET shows the gift and consumes nothing
 * (mail scanners prefetch links); the POST reveals the number and PIN once.
 */
export function giftRoutes(site: SiteContext, router: Router): void {
  const invalid = (res: Parameters<Parameters<Router['get']>[1]>[1]) =>
    render(site, res, 404, 'Gift link not valid', messageView({ title: 'This gift link is not valid', text: 'Check that you opened the whole link from the most recent gift email. A resent email replaces the older link.', link: { href: '/', label: 'Home' } }));

  router.get('/gift/:token', async (req, res) => {
    const order = await giftByClaimToken(site.billing.read(), req.params.token);
    if (!order) return invalid(res);
    if (order.claimed_at_ms !== null) return render(site, res, 410, 'Gift link already used', giftUsedView(order, site.config.site.supportEmail));
    render(site, res, 200, 'You received a gift card', giftLandingView(order, req.params.token, site.csrfToken(req, res)));
  });

  router.post('/gift/:token', async (req, res) => {
    const r = await site.billing.tx((ctx) => claimGift(ctx, site.box, req.params.token));
    if (!r.ok) {
      if (r.error.code !== 'invalid_state') return invalid(res);
      const order = await giftByClaimToken(site.billing.read(), req.params.token);
      return order ? render(site, res, 410, 'Gift link already used', giftUsedView(order, site.config.site.supportEmail)) : invalid(res);
    }
    const o = r.value.order;
    site.logger.info('gift claimed', { order_id: o.id, card_last4: o.card_last4 });
    render(site, res, 200, 'Your gift card', revealedCardView({
      number: r.value.number, pin: r.value.pin, amount: money(o.amount_minor, o.currency), message: o.gift_message,
      title: `${o.recipient_name ? `${o.recipient_name}, here` : 'Here'} is your gift card`, intro: `A prepaid card worth ${money(o.amount_minor, o.currency)} for phone calls and online payments.`,
    }));
  });
}
