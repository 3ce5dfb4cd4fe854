import type { Router } from 'express';
import { authenticateCard } from '../../billing/cards/card-auth';
import { clientIpKey } from '../../billing/http/client-ip';
import { cardHistory } from '../../billing/cards/card-history';
import { parseBalanceForm } from '../forms';
import { balanceFormView, balanceView } from '../views/balance';
import { dateTime } from '../views/format';
import type { SiteContext } from '../site-context';
import { formValues, render } from '../site-context';

export function balanceRoutes(site: SiteContext, router: Router): void {
  router.get('/balance', (req, res) => render(site, res, 200, 'Balance and history', balanceFormView({ csrf: site.csrfToken(req, res), values: {}, errors: {} }), 'balance'));

  router.post('/balance', async (req, res) => {
    const values = formValues(req.body, ['pin']);
    const again = (status: number, errors: Record<string, string | undefined>, general?: string) =>
      render(site, res, status, 'Error: Balance and history', balanceFormView({ csrf: site.csrfToken(req, res), values, errors, general }), 'balance');
    const form = parseBalanceForm(req.body ?? {});
    if (!form.value) return again(422, form.errors);
    const { card_number, pin } = form.value;
    const ipKey = clientIpKey(req.ip ?? 'unknown');
    // One transaction: the failure counters (per card, shared with phone and API; per IP) are committed with the answer.
    const r = await site.billing.tx(async (ctx) => {
      const auth = await authenticateCard(ctx, card_number, pin, { throttle_key: ipKey });
      if (!auth.ok) return auth;
      return { ...auth, history: await cardHistory(ctx.q, auth.value.id, 200) };
    });
    if (!r.ok && r.error.code === 'rate_limited') return again(429, {}, 'Too many wrong attempts from your network. Try again later.');
    if (!r.ok) {
      if (r.error.code === 'card_locked') {
        if (r.error.details?.until_unlocked === true) {
          return again(423, {}, `This card is locked after too many wrong PINs. Contact customer service (${site.config.site.supportEmail}) to have it unlocked.`);
        }
        const until = Number(r.error.details?.locked_until_ms ?? 0);
        return again(423, {}, `This card is locked after too many wrong PINs${until ? ` until ${dateTime(until)}` : ''}. Try again later.`);
      }
      return again(422, {}, 'The card number or PIN is not valid.');
    }
    render(site, res, 200, `Card ${r.value.last4}`, balanceView(r.value, r.history, site.billing.clock.now().getTime()), 'balance');
  });
}
