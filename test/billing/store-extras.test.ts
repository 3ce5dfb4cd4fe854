import { execFile } from 'node:child_process';
import { expect } from 'chai';
import { authenticateCard, sourceThrottled } from '../../billing/cards/card-auth';
import { setCardStatus } from '../../billing/cards/card-admin';
import { cardById } from '../../billing/cards/card-rows';
import { recordSourceFailure } from '../../billing/cards/throttle';
import { reserveCallChunk } from '../../billing/calls/call-holds';
import { importDeck, lookupRate } from '../../billing/rating/rate-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind, TEST_SECRET } from '../support/databases';
import type { TestBilling } from '../support/databases';

const DAY = 86_400_000;
const r = (prefix: string, over: Partial<Rate> = {}): Rate => ({ prefix, destination: `dest ${prefix}`, rate_per_minute_scaled: 5 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...over });

for (const kind of KINDS) {
  describe(`billing store (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, { pin_max_failures: 3, pin_lock_ms: 10 * 60_000, source_max_failures: 4 });
    });
    after(async () => t?.close());

    it('locks a card after N wrong PINs from any channel, then unlocks after the period', async () => {
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const attempt = (pin: string) => t.billing.tx((ctx) => authenticateCard(ctx, c.number, pin)).then((x) => (x.ok ? 'ok' : x.error.code));
      const wrong = c.pin === '0000' ? '1111' : '0000';
      expect([await attempt(wrong), await attempt(wrong), await attempt(wrong)]).to.deep.equal(['invalid_card_credentials', 'invalid_card_credentials', 'invalid_card_credentials']);
      expect(await attempt(c.pin)).to.equal('card_locked');
      t.clock.advance(10 * 60_000 + 1);
      expect(await attempt(c.pin)).to.equal('ok');
      // A success resets the counter.
      expect([await attempt(wrong), await attempt(c.pin), await attempt(wrong), await attempt(wrong), await attempt(c.pin)]).to.deep.equal(['invalid_card_credentials', 'ok', 'invalid_card_credentials', 'invalid_card_credentials', 'ok']);
    });

    it('throttles a source (caller number, IP) after repeated failures', async () => {
      const key = 'ip:203.0.113.7';
      for (let i = 0; i < 3; i++) await t.billing.tx((ctx) => recordSourceFailure(ctx, key));
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key }))).to.equal(false);
      await t.billing.tx((ctx) => recordSourceFailure(ctx, key));
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key }))).to.equal(true);
      t.clock.advance(DEFAULT_POLICY.source_lock_ms + 1);
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key }))).to.equal(false);
    });

    it('applies the three expiry policies', async () => {
      const fixed = await t.billing.issueCard({ value_minor: 100, currency: 'USD', expiry: { kind: 'fixed', expires_at_ms: t.clock.ms + 5 * DAY } });
      const afterAct = await t.billing.issueCard({ value_minor: 100, currency: 'USD', status: 'inactive', expiry: { kind: 'after_activation', days: 90 } });
      const afterUse = await t.billing.issueCard({ value_minor: 500, currency: 'USD', expiry: { kind: 'after_first_use', days: 30 } });
      expect((await cardById(t.billing.db, fixed.card_id))?.expires_at_ms).to.equal(t.clock.ms + 5 * DAY);
      expect((await cardById(t.billing.db, afterAct.card_id))?.expires_at_ms).to.equal(null);
      const activated = await t.billing.tx((ctx) => setCardStatus(ctx, afterAct.card_id, 'active'));
      expect(activated.ok && activated.value.expires_at_ms).to.equal(t.clock.ms + 90 * DAY);
      expect((await cardById(t.billing.db, afterUse.card_id))?.expires_at_ms).to.equal(null);
      const firstUse = t.clock.ms;
      const h = await t.billing.tx((ctx) => reserveCallChunk(ctx, 'call_x', afterUse.card_id, 100, 'USD', 60_000));
      expect(h.ok).to.equal(true);
      expect((await cardById(t.billing.db, afterUse.card_id))?.expires_at_ms).to.equal(firstUse + 30 * DAY);
      t.clock.advance(31 * DAY);
      const late = await t.billing.tx((ctx) => reserveCallChunk(ctx, 'call_y', afterUse.card_id, 100, 'USD', 60_000));
      expect(late.ok ? 'ok' : late.error.code).to.equal('card_expired');
      // Breakage books what is left on expired cards; the books still balance.
      const s = await t.billing.sweep();
      expect(s.breakage).to.be.greaterThan(0);
      expect((await cardById(t.billing.db, afterUse.card_id))?.balance_minor).to.equal(0);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('imports a deck, finds the longest prefix, and switches versions atomically', async () => {
      await importDeck(t.billing.db, 'default', 'USD', [r('1'), r('44'), r('447', { rate_per_minute_scaled: 9 * RATE_SCALE }), r('4479', { blocked: true })], t.clock.ms);
      expect((await lookupRate(t.billing.db, '447700900123'))?.prefix).to.equal('447');
      expect((await lookupRate(t.billing.db, '447912345678'))?.blocked).to.equal(true);
      expect(await lookupRate(t.billing.db, '999')).to.equal(undefined);
      await importDeck(t.billing.db, 'default', 'USD', [r('44', { rate_per_minute_scaled: 2 * RATE_SCALE })], t.clock.ms);
      expect((await lookupRate(t.billing.db, '447700900123'))?.rate_per_minute_scaled).to.equal(2 * RATE_SCALE);
      expect(await lookupRate(t.billing.db, '15551234567')).to.equal(undefined);
      let threw = false;
      try { await importDeck(t.billing.db, 'default', 'USD', [r('44'), r('44')], t.clock.ms); } catch { threw = true; }
      expect(threw).to.equal(true);
      expect((await lookupRate(t.billing.db, '447700900123'))?.rate_per_minute_scaled).to.equal(2 * RATE_SCALE);
    });

    it('expires holds exactly once when three sweeper PROCESSES race', async () => {
      const cards = await Promise.all(Array.from({ length: 5 }, () => t.billing.issueCard({ value_minor: 1000, currency: 'USD' })));
      for (const c of cards) for (let i = 0; i < 6; i++) {
        const h = await t.billing.tx((ctx) => reserveCallChunk(ctx, `call_${c.card_id}_${i}`, c.card_id, 100, 'USD', 1000));
        expect(h.ok).to.equal(true);
      }
      t.clock.advance(2000);
      const env = { ...process.env, DATABASE_URL: t.tdb.url, NOW_MS: String(t.clock.ms), SECRET_KEY: TEST_SECRET, LIMIT: '4' };
      const run = () => new Promise<number>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', 'test/support/sweep-process.ts'], { env }, (err, stdout) => {
          if (err) reject(err); else resolve((JSON.parse(stdout) as { expired: number }).expired);
        });
      });
      const counts = await Promise.all([run(), run(), run()]);
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(30);
      for (const c of cards) expect((await cardById(t.billing.db, c.card_id))?.pending_minor).to.equal(0);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });
  });
}
