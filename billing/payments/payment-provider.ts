/**
 * How the site takes money: a hosted checkout (the buyer is redirected to the provider and back).
 * Implementations: the sandbox (web/payments/sandbox-provider.ts, the default, no real money) and
 * Stripe Checkout (web/payments/stripe-provider.ts). A payment is applied to its order by
 * `fulfilOrder`, whichever of the return redirect or the notification arrives first (or both).
 */
export interface CheckoutRequest {
  order_id: string;
  amount_minor: number;
  currency: string;
  description: string;
  customer_email: string;
  success_url: string;
  cancel_url: string;
}

export interface CheckoutSession {
  session_id: string;
  /** Where to send the buyer's browser (the provider's payment page). */
  redirect_url: string;
}

export interface PaymentStatus {
  session_id: string;
  order_id: string | null;
  paid: boolean;
  /** The provider's id of the money movement: the idempotency key of the fulfilment. */
  payment_id: string | null;
  amount_minor: number;
  currency: string;
}

export interface PaymentProvider {
  /** Stored on the order: `sandbox` or `stripe`. */
  readonly name: string;
  /** True for the test provider: the site shows a SANDBOX banner. */
  readonly sandbox: boolean;
  createCheckout(req: CheckoutRequest): Promise<CheckoutSession>;
  /** Asks the provider (server to server) what became of a session; undefined when unknown. */
  getSession(session_id: string): Promise<PaymentStatus | undefined>;
}
