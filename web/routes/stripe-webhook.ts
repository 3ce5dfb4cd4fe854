import express from 'express';
import type { Router } from 'express';
import type Stripe from 'stripe';
import type { StripeProvider } from '../payments/stripe-provider';
import { statusOf } from '../payments/stripe-provider';
import type { SiteContext } from '../site-context';
import { applyPayment } from '../site-context';

/**
 * POST /webhooks/stripe: the signature is verified over the raw body; a completed (paid)
 * Checkout session is applied to its order exactly once however often Stripe retries.
 */
export function stripeWebhookRoute(site: SiteContext, stripe: StripeProvider, router: Router): void {
  router.post('/webhooks/stripe', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const signature = req.get('stripe-signature') ?? '';
    let event: Stripe.Event;
    try {
      event = stripe.verifyWebhook(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), signature);
    } catch {
      site.logger.warn('stripe webhook rejected: bad signature');
      res.status(400).json({ error: 'invalid signature' });
      return;
    }
    if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded') {
      const status = statusOf(event.data.object);
      const applied = await applyPayment(site, status);
      site.logger.info('stripe webhook', { event_id: event.id, type: event.type, order_id: status.order_id, applied });
    }
    res.json({ received: true });
  });
}
