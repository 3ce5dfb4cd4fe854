import http from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import Stripe from 'stripe';

export interface StandinSession {
  id: string; object: 'checkout.session'; url: string; status: string; payment_status: string; mode: string;
  amount_total: number; currency: string; client_reference_id: string | null; customer_email: string | null;
  metadata: Record<string, string>; payment_intent: string | null; success_url: string; cancel_url: string;
}

/**
 * A tiny local stand-in for the few Stripe API endpoints the adapter calls (form-encoded requests,
 * JSON answers, like api.stripe.com), plus signed webhook delivery with Stripe's own test signer.
 */
export class StripeStandin {
  readonly sessions = new Map<string, StandinSession>();
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined; idempotencyKey: string | undefined; body: Record<string, unknown> }> = [];
  private server: http.Server | undefined;
  base = '';
  private readonly signer = new Stripe('sk_test_signer_only');

  constructor(readonly apiKey: string, readonly webhookSecret: string) {}

  async start(): Promise<void> {
    const app = express();
    app.use(express.urlencoded({ extended: true }));
    app.use((req, _res, next) => {
      this.requests.push({ method: req.method, path: req.path, authorization: req.get('authorization'), idempotencyKey: req.get('idempotency-key'), body: (req.body ?? {}) as Record<string, unknown> });
      next();
    });
    const auth: express.RequestHandler = (req, res, next) => {
      if (req.get('authorization') !== `Bearer ${this.apiKey}`) {
        res.status(401).json({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
        return;
      }
      next();
    };
    app.post('/v1/checkout/sessions', auth, (req, res) => {
      const b = req.body as { line_items: Array<{ price_data: { unit_amount: string; currency: string } }>; client_reference_id?: string; customer_email?: string; metadata?: Record<string, string>; success_url: string; cancel_url: string; mode: string };
      const id = `cs_test_${randomBytes(12).toString('hex')}`;
      const s: StandinSession = {
        id, object: 'checkout.session', url: `${this.base}/pay/${id}`, status: 'open', payment_status: 'unpaid', mode: b.mode,
        amount_total: Number(b.line_items[0]!.price_data.unit_amount), currency: b.line_items[0]!.price_data.currency,
        client_reference_id: b.client_reference_id ?? null, customer_email: b.customer_email ?? null, metadata: b.metadata ?? {},
        payment_intent: null, success_url: b.success_url, cancel_url: b.cancel_url,
      };
      this.sessions.set(id, s);
      res.json(s);
    });
    app.get('/v1/checkout/sessions/:id', auth, (req, res) => {
      const s = this.sessions.get(req.params.id as string);
      if (!s) {
        res.status(404).json({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such checkout.session: '${req.params.id}'` } });
        return;
      }
      res.json(s);
    });
    this.server = http.createServer(app);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** The buyer completes payment on the hosted page. */
  pay(id: string): StandinSession {
    const s = this.sessions.get(id)!;
    s.status = 'complete';
    s.payment_status = 'paid';
    s.payment_intent ??= `pi_${randomBytes(12).toString('hex')}`;
    return s;
  }

  /** Delivers `checkout.session.completed` to the shop's webhook, signed like Stripe does (or with a wrong secret). */
  async deliverCompleted(webhookUrl: string, id: string, opts: { secret?: string } = {}): Promise<number> {
    const payload = JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, object: 'event', type: 'checkout.session.completed', api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: this.sessions.get(id) } });
    const header = this.signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? this.webhookSecret });
    const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload });
    return res.status;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
