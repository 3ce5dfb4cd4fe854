import type { Router } from 'express';
import { paySandboxSession, sandboxSession } from '../../billing/payments/sandbox-payments';
import { idPattern } from '../../billing/shared/ids';
import { messageView } from '../views/message';
import { sandboxPayView } from '../views/sandbox-pay';
import type { SiteContext } from '../site-context';
import { applyPayment, formValues, render } from '../site-context';

const SESSION_ID = idPattern('sbcs');

/** The sandbox provider's payment page (only mounted while the sandbox is the provider). */
export function sandboxRoutes(site: SiteContext, router: Router): void {
  const missing = (res: Parameters<Parameters<Router['get']>[1]>[1]) => render(site, res, 404, 'Payment not found', messageView({ title: 'Payment not found', text: 'This test payment does not exist.', link: { href: '/', label: 'Home' } }));

  router.get('/sandbox-pay/:id', async (req, res) => {
    const s = SESSION_ID.test(req.params.id) ? await sandboxSession(site.billing.db, req.params.id) : undefined;
    if (!s) return missing(res);
    if (s.status === 'paid') return res.redirect(303, s.success_url);
    render(site, res, 200, 'SANDBOX test payment', sandboxPayView(s, site.csrfToken(req, res)));
  });

  router.post('/sandbox-pay/:id', async (req, res) => {
    if (!SESSION_ID.test(req.params.id)) return missing(res);
    const card = typeof req.body?.test_card === 'string' ? (req.body.test_card as string) : '';
    const r = await site.billing.tx((ctx) => paySandboxSession(ctx.q, req.params.id, card));
    if (!r.ok) {
      if (r.reason === 'not_found') return missing(res);
      const s = (await sandboxSession(site.billing.db, req.params.id))!;
      const error = r.reason === 'declined'
        ? 'Your card was declined. (Test card 4000 0000 0000 0002 always declines.) Try another card.'
        : 'This is not a test card. Use 4242 4242 4242 4242 to pay in the sandbox.';
      return render(site, res, 402, 'Error: SANDBOX test payment', sandboxPayView(s, site.csrfToken(req, res), error, formValues(req.body)));
    }
    // Like a provider's webhook: the shop learns of the payment server-side, then the buyer returns.
    const s = r.session;
    await applyPayment(site, { session_id: s.id, order_id: s.order_id, paid: true, payment_id: s.payment_id, amount_minor: s.amount_minor, currency: s.currency });
    res.redirect(303, s.success_url);
  });
}
