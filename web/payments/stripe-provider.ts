import Stripe from 'stripe';
import type { CheckoutRequest, CheckoutSession, PaymentProvider, PaymentStatus } from '../../billing/payments/payment-provider';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
  /** e.g. http://127.0.0.1:12111 for a local stand-in of Stripe's API; null for api.stripe.com. */
  apiBase: string | null;
}

/**
 * Stripe Checkout: a hosted payment page per order, confirmed by the signed webhook
 * `checkout.session.completed` (POST /webhooks/stripe) and by the return redirect, whichever
 * comes first; fulfilment is idempotent on the PaymentIntent id. Stripe amounts are in the
 * currency's smallest unit, like ours (zero-decimal currencies included).
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  readonly sandbox = false;
  readonly checkoutOrigins: readonly string[];
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    const base = settings.apiBase ? new URL(settings.apiBase) : null;
    this.stripe = new Stripe(settings.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
    });
    this.checkoutOrigins = base ? ['https://checkout.stripe.com', base.origin] : ['https://checkout.stripe.com'];
  }

  async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        client_reference_id: req.order_id,
        customer_email: req.customer_email,
        line_items: [{ quantity: 1, price_data: { currency: req.currency.toLowerCase(), unit_amount: req.amount_minor, product_data: { name: req.description } } }],
        success_url: req.success_url,
        cancel_url: req.cancel_url,
        metadata: { order_id: req.order_id },
      },
      { idempotencyKey: `checkout-${req.order_id}` },
    );
    if (!session.url) throw new Error('Stripe returned a checkout session without a URL');
    return { session_id: session.id, redirect_url: session.url };
  }

  async getSession(session_id: string): Promise<PaymentStatus | undefined> {
    try {
      return statusOf(await this.stripe.checkout.sessions.retrieve(session_id));
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Verifies the `Stripe-Signature` header over the raw body (throws when it does not match). */
  verifyWebhook(rawBody: Buffer, signature: string): Stripe.Event {
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret);
  }
}

export function statusOf(s: Stripe.Checkout.Session): PaymentStatus {
  const pi = s.payment_intent;
  return {
    session_id: s.id,
    order_id: s.client_reference_id ?? s.metadata?.order_id ?? null,
    paid: s.payment_status === 'paid' || s.payment_status === 'no_payment_required',
    payment_id: typeof pi === 'string' ? pi : (pi?.id ?? s.id),
    amount_minor: s.amount_total ?? 0,
    currency: (s.currency ?? '').toUpperCase(),
  };
}
