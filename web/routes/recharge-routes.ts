import type { Router } from 'express';
import { authenticateCard } from '../../billing/cards/card-auth';
import { clientIpKey } from '../../billing/http/client-ip';
import { createRechargeOrder } from '../../billing/orders/orders';
import { parseRechargeForm } from '../forms';
import { rechargeView } from '../views/recharge';
import type { SiteContext } from '../site-context';
import { formValues, render, sessionHash } from '../site-context';
import { startCheckout } from './checkout';

const MESSAGES: Record<string, string> = {
  not_found: 'We could not find a card with this number. Check the 16 digits.',
  card_closed: 'This card is closed and cannot be recharged.',
  card_suspended: 'This card is suspended and cannot be recharged. Contact support.',
  card_expired: 'This card has expired and cannot be recharged.',
  currency_mismatch: 'This card is in another currency and cannot be recharged here.',
};

export function rechargeRoutes(site: SiteContext, router: Router): void {
  const s = site.config.site;
  const currency = site.config.defaultCurrency;
  const view = (csrf: string, values: Record<string, string>, errors: Record<string, string | undefined> = {}, general?: string) =>
    rechargeView({ csrf, currency, presets: s.presetAmountsMinor, min: s.minAmountMinor, max: s.maxAmountMinor, values, errors, general });

  router.get('/recharge', (req, res) => render(site, res, 200, 'Recharge a card', view(site.csrfToken(req, res), {}), 'recharge'));

  router.post('/recharge', async (req, res) => {
    const values = formValues(req.body);
    const form = parseRechargeForm(req.body ?? {}, s, currency);
    if (!form.value) return render(site, res, 422, 'Error: Recharge a card', view(site.csrfToken(req, res), values, form.errors), 'recharge');
    const f = form.value;
    const ipKey = clientIpKey(req.ip ?? 'unknown');
    const result = await site.billing.tx(async (ctx) => {
      // No PIN (anyone may top a card up), but unknown numbers count against this address:
      // recharge must not become a way to test numbers.
      const card = await authenticateCard(ctx, f.card_number, null, { throttle_key: ipKey });
      if (!card.ok) return card;
      return createRechargeOrder(ctx, { ...f, currency, buyer_session_hash: sessionHash(site, req), provider: site.provider.name });
    });
    if (!result.ok && result.error.code === 'rate_limited') return render(site, res, 429, 'Error: Recharge a card', view(site.csrfToken(req, res), values, {}, 'Too many unknown card numbers from your network. Try again later.'), 'recharge');
    if (!result.ok) return render(site, res, 422, 'Error: Recharge a card', view(site.csrfToken(req, res), values, { card_number: MESSAGES[result.error.code] ?? 'This card cannot be recharged.' }), 'recharge');
    await startCheckout(site, res, result.value);
  });
}
