import type { Router } from 'express';
import { createCardOrder } from '../../billing/orders/orders';
import { unwrap } from '../../billing/shared/errors';
import { parseBuyForm } from '../forms';
import { buyView } from '../views/buy';
import { homeView } from '../views/home';
import type { SiteContext } from '../site-context';
import { formValues, render, sessionHash } from '../site-context';
import { startCheckout } from './checkout';

export function buyRoutes(site: SiteContext, router: Router): void {
  const s = site.config.site;
  const currency = site.config.defaultCurrency;
  const view = (csrf: string, values: Record<string, string>, errors: Record<string, string | undefined> = {}) =>
    buyView({ csrf, currency, presets: s.presetAmountsMinor, min: s.minAmountMinor, max: s.maxAmountMinor, values, errors });

  router.get('/', (_req, res) => render(site, res, 200, 'Prepaid cards for calls and payments', homeView({ presets: s.presetAmountsMinor, currency }), 'home'));

  router.get('/buy', (req, res) => {
    const mode = req.query.mode === 'gift' ? 'gift' : 'self';
    render(site, res, 200, 'Buy a card', view(site.csrfToken(req, res), { mode }), 'buy');
  });

  router.post('/buy', async (req, res) => {
    const form = parseBuyForm(req.body ?? {}, s, currency, site.billing.clock.now().getTime());
    if (!form.value) {
      render(site, res, 422, 'Error: Buy a card', view(site.csrfToken(req, res), formValues(req.body), form.errors), 'buy');
      return;
    }
    const f = form.value;
    const order = await site.billing.tx(async (ctx) => unwrap(await createCardOrder(ctx, {
      amount_minor: f.amount_minor, currency, buyer_email: f.buyer_email, buyer_session_hash: sessionHash(site, req), provider: site.provider.name, gift: f.gift,
    })));
    await startCheckout(site, res, order);
  });
}
