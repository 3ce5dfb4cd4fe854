import { expect } from 'chai';
import { eventually, startSite, TestSmtp } from './support/site-harness';
import type { RunningSite } from './support/site-harness';
import { StripeStandin } from './support/stripe-standin';

/** A browser-less client: keeps cookies, reads the CSRF token from a form. */
class FormClient {
  private readonly jar = new Map<string, string>();
  constructor(readonly base: string) {}
  private cookie(): string { return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '); }
  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }
  async get(path: string): Promise<{ res: Response; html: string; csrf: string | undefined }> {
    const res = await fetch(this.base + path, { headers: { cookie: this.cookie() }, redirect: 'manual' });
    this.keep(res);
    const html = await res.text();
    return { res, html, csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] };
  }
  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await fetch(this.base + path, { method: 'POST', headers: { cookie: this.cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
    this.keep(res);
    return res;
  }
}

describe('Stripe Checkout adapter against a local stand-in of the Stripe API', function () {
  this.timeout(30_000);
  const KEY = 'sk_test_standin_0123456789';
  const WHSEC = 'whsec_standin_0123456789';
  let stripe: StripeStandin;
  let smtp: TestSmtp;
  let site: RunningSite;

  before(async () => {
    stripe = new StripeStandin(KEY, WHSEC);
    await stripe.start();
    smtp = await TestSmtp.start();
    site = await startSite({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, STRIPE_SECRET_KEY: KEY, STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: stripe.base });
  });
  after(async () => {
    await site?.stop();
    await smtp?.down();
    await stripe?.stop();
  });

  const count = async (sql: string, params: Array<string | number> = []) => Number((await site.server.deps.billing.db.one<{ n: number }>(sql, params))!.n);

  it('a payment notified twice (webhook retries) and by the return URL issues ONE card and ONE receipt', async () => {
    const buyer = new FormClient(site.url);
    const form = await buyer.get('/buy');
    expect(form.html).to.not.contain('SANDBOX');
    expect(form.res.headers.get('content-security-policy')).to.contain(`form-action 'self' https://checkout.stripe.com ${stripe.base}`);
    const res = await buyer.post('/buy', { _csrf: form.csrf!, preset: '20', buyer_email: 'stripe-buyer@example.com', mode: 'self' });
    expect(res.status).to.equal(303);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${stripe.base}/pay/cs_test_`)).to.equal(true);
    const session_id = location.split('/').pop()!;
    const create = stripe.requests.find((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions')!;
    const order = (await site.server.deps.billing.db.one<{ id: string; provider_session_id: string }>('SELECT id, provider_session_id FROM orders'))!;
    expect(order.provider_session_id).to.equal(session_id);
    expect(create.authorization).to.equal(`Bearer ${KEY}`);
    expect(create.idempotencyKey).to.equal(`checkout-${order.id}`);
    expect(create.body).to.deep.include({ mode: 'payment', client_reference_id: order.id, customer_email: 'stripe-buyer@example.com', success_url: `${site.url}/orders/${order.id}/return` });
    expect((create.body.line_items as Array<{ price_data: { unit_amount: string; currency: string } }>)[0]!.price_data).to.deep.include({ unit_amount: '2000', currency: 'usd' });

    // Not paid yet: the return URL issues nothing.
    expect((await buyer.get(`/orders/${order.id}/return`)).res.status).to.equal(303);
    expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(0);

    stripe.pay(session_id);
    // A forged notification (wrong signing secret) is refused and issues nothing.
    expect(await stripe.deliverCompleted(`${site.url}/webhooks/stripe`, session_id, { secret: 'whsec_wrong_secret' })).to.equal(400);
    expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(0);

    const statuses = await Promise.all([
      stripe.deliverCompleted(`${site.url}/webhooks/stripe`, session_id),
      stripe.deliverCompleted(`${site.url}/webhooks/stripe`, session_id),
    ]);
    expect(statuses).to.deep.equal([200, 200]);
    expect(await stripe.deliverCompleted(`${site.url}/webhooks/stripe`, session_id)).to.equal(200);
    const back = await buyer.get(`/orders/${order.id}/return`);
    expect(back.res.headers.get('location')).to.equal(`/orders/${order.id}`);

    expect(await count('SELECT COUNT(*) AS n FROM cards')).to.equal(1);
    expect(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'sale' AND reference = ?", [order.id])).to.equal(1);
    expect(await count("SELECT COUNT(*) AS n FROM orders WHERE status = 'fulfilled' AND provider_payment_id = ?", [stripe.sessions.get(session_id)!.payment_intent!])).to.equal(1);
    expect(await count('SELECT COUNT(*) AS n FROM mail_outbox WHERE order_id = ?', [order.id])).to.equal(1);
    await eventually(async () => (await count("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'sent'")) === 1 || undefined, 'the receipt to be sent');
    expect(smtp.to('stripe-buyer@example.com')).to.have.length(1);

    // The buyer's browser reveals the card once.
    const page = await buyer.get(`/orders/${order.id}`);
    const reveal = await buyer.post(`/orders/${order.id}/reveal`, { _csrf: page.csrf! });
    expect(reveal.status).to.equal(200);
    expect(await reveal.text()).to.match(/data-testid="card-number">\d{4} \d{4} \d{4} \d{4}</);
    const again = await buyer.post(`/orders/${order.id}/reveal`, { _csrf: page.csrf! });
    expect(again.status).to.equal(409);
  });

  it('the sandbox payment page does not exist when Stripe is the provider', async () => {
    const res = await fetch(`${site.url}/sandbox-pay/sbcs_0123456789abcdef`);
    expect(res.status).to.equal(404);
  });
});
