import type { Billing } from '../../billing/billing';
import type { CheckoutRequest, CheckoutSession, PaymentProvider, PaymentStatus } from '../../billing/payments/payment-provider';
import { createSandboxSession, sandboxSession } from '../../billing/payments/sandbox-payments';

/**
 * The default, clearly-marked test provider: its payment page is served by this site at
 * /sandbox-pay/<session> (web/routes/sandbox-routes.ts), its sessions live in the database.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly sandbox = true;
  readonly checkoutOrigins: readonly string[] = [];
  constructor(private readonly billing: Billing) {}

  async createCheckout(req: CheckoutRequest): Promise<CheckoutSession> {
    const s = await this.billing.tx((ctx) => createSandboxSession(ctx.q, ctx.now_ms, req));
    return { session_id: s.id, redirect_url: `/sandbox-pay/${s.id}` };
  }

  async getSession(session_id: string): Promise<PaymentStatus | undefined> {
    const s = await sandboxSession(this.billing.db, session_id);
    if (!s) return undefined;
    return { session_id: s.id, order_id: s.order_id, paid: s.status === 'paid', payment_id: s.payment_id, amount_minor: s.amount_minor, currency: s.currency };
  }
}
