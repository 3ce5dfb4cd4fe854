import type { Response } from 'express';
import type { Order } from '../../billing/orders/order';
import { attachProviderSession } from '../../billing/orders/orders';
import type { SiteContext } from '../site-context';

/** Opens the provider's checkout for a new order and sends the browser there (303). */
export async function startCheckout(site: SiteContext, res: Response, order: Order): Promise<void> {
  const base = site.provider.sandbox ? '' : site.config.publicUrl;
  const description = order.kind === 'recharge'
    ? `Recharge of card ending ${order.card_last4}`
    : order.recipient_email ? `Gift card for ${order.recipient_name ?? order.recipient_email}` : 'Prepaid card';
  const session = await site.provider.createCheckout({
    order_id: order.id,
    amount_minor: order.amount_minor,
    currency: order.currency,
    description,
    customer_email: order.buyer_email,
    success_url: `${base}/orders/${order.id}/return`,
    cancel_url: `${base}/orders/${order.id}?notice=cancelled`,
  });
  await site.billing.tx((ctx) => attachProviderSession(ctx, order.id, session.session_id));
  site.logger.info('checkout started', { order_id: order.id, kind: order.kind, provider: site.provider.name, amount_minor: order.amount_minor });
  res.redirect(303, session.redirect_url);
}
