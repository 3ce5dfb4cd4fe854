import type { Billing } from '../../billing/billing';
import { creditCard, insertCard, newSerial } from '../../billing/cards/card-issue';
import { last4 } from '../../billing/cards/card-number';
import { FUNDING_SALES } from '../../billing/ledger/accounts';
import { activeDeck, importDeck } from '../../billing/rating/rate-store';
import { assert } from '../../billing/shared/errors';
import type { Logger } from '../../billing/shared/logger';
import type { SandboxSettings } from '../sandbox-deps';
import { centsToMinor, DEMO_BATCH, DEMO_CARD_VALUES_CENTS, DEMO_MERCHANT, demoRates } from './demo-data';
import { demoCardNumber, demoCardPin, demoMerchantKey } from './demo-secrets';

export type SeedOutcome = 'seeded' | 'present' | 'skipped-not-empty' | 'skipped-not-embedded';

/**
 * First start of the embedded default on an EMPTY database: a demo rate deck, three demo cards and a
 * demo merchant, so `npm start` is something to try at once. Idempotent: the batch named `demo` is the
 * marker, written in the same transaction as the cards and the merchant; the deck follows (and is
 * re-imported on a later start if a crash came in between, as long as no deck is active). Never on
 * PostgreSQL, never on a database that already holds cards, merchants or decks.
 */
export async function seedDemo(config: SandboxSettings, billing: Billing, logger: Logger): Promise<SeedOutcome> {
  const log = logger.child({ component: 'demo' });
  if (!config.embedded) return 'skipped-not-embedded';
  const currency = config.defaultCurrency;
  const outcome = await billing.tx(async (ctx): Promise<SeedOutcome> => {
    if (await ctx.q.one('SELECT id FROM batches WHERE name = ?', [DEMO_BATCH])) return 'present';
    const used = await ctx.q.one<{ n: number }>(
      'SELECT (SELECT COUNT(*) FROM cards) + (SELECT COUNT(*) FROM merchants) + (SELECT COUNT(*) FROM rate_decks) AS n',
    );
    if ((used?.n ?? 0) > 0) return 'skipped-not-empty';
    const values = DEMO_CARD_VALUES_CENTS.map((c) => centsToMinor(c, currency));
    const total = values.reduce((a, b) => a + b, 0);
    const batch = await ctx.q.one<{ id: number }>(
      "INSERT INTO batches (name, currency, value_minor, card_count, created_at_ms, status, source, total_minor, actor) VALUES (?, ?, ?, ?, ?, 'active', 'generated', ?, 'demo') RETURNING id",
      [DEMO_BATCH, currency, values[0] ?? 0, values.length, ctx.now_ms, total],
    );
    assert(batch, 'demo batch id');
    for (const [i, value_minor] of values.entries()) {
      const number = demoCardNumber(config.secretKey, i, ctx.policy.issuer_prefix);
      const card_id = await insertCard(ctx, {
        number, pin: demoCardPin(config.secretKey, i, ctx.policy.pin_length), serial: newSerial(), batch_id: batch.id,
        currency, status: 'active', expiry: { kind: 'none' },
      });
      await creditCard(ctx, card_id, value_minor, currency, FUNDING_SALES, 'issue', { reference: `batch:${DEMO_BATCH}`, reason: `demo card …${last4(number)}`, actor: 'demo' });
    }
    const key = demoMerchantKey(config.secretKey);
    await ctx.q.run("INSERT INTO merchants (name, api_key_hash, api_key_last4, status, created_at_ms) VALUES (?, ?, ?, 'active', ?)", [
      DEMO_MERCHANT, ctx.hasher.apiKey(key), key.slice(-4), ctx.now_ms,
    ]);
    return 'seeded';
  });
  if (outcome === 'skipped-not-empty') {
    log.info('demo not seeded: the database already holds cards, merchants or rate decks');
    return outcome;
  }
  if (!(await activeDeck(billing.db, config.ivr.rateDeck))) {
    await importDeck(billing.db, config.ivr.rateDeck, currency, demoRates(currency), billing.clock.now().getTime());
  }
  if (outcome === 'seeded') {
    // Numbers, PINs and the key are masked in logs by design; the sandbox phone page shows them.
    log.info('demo seeded: 3 cards, a rate deck and a merchant; card numbers, PINs and the merchant key are on the sandbox phone page', {
      path: '/phone', cards: DEMO_CARD_VALUES_CENTS.length, currency,
    });
  }
  return outcome;
}
