import { expect } from 'chai';
import { authenticateCard, sourceThrottled, throttledSource } from '../../billing/cards/card-auth';
import { cardById } from '../../billing/cards/card-rows';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/** The one card authentication every channel calls: source throttle, PIN, failure counting, in one transaction. */
for (const kind of KINDS) {
  describe(`card authentication, one function for every channel (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, { pin_max_failures: 3, pin_lock_ms: 10 * 60_000, source_max_failures: 3 });
    });
    after(async () => t?.close());

    const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code);

    it('counts wrong PINs and unknown numbers against the source, then refuses the source even with the right PIN, counting nothing more', async () => {
      const key = `ip:192.0.2.${Math.floor(Math.random() * 250)}`;
      const [a, b] = [await t.billing.issueCard({ value_minor: 100, currency: 'USD' }), await t.billing.issueCard({ value_minor: 100, currency: 'USD' })];
      const wrong = (pin: string) => (pin === '0000' ? '1111' : '0000');
      const attempt = (number: string, pin: string | null) => t.billing.tx((ctx) => authenticateCard(ctx, number, pin, { throttle_key: key })).then(code);
      expect(await attempt(a.number, wrong(a.pin))).to.equal('invalid_card_credentials');
      expect(await attempt('7000000000000000', '1234')).to.equal('invalid_card_credentials'); // unknown number: the same answer
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key }))).to.equal(false);
      expect(await attempt('7000000000000001', null)).to.equal('not_found'); // number only (recharge): unknown counts too
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key }))).to.equal(true);
      expect(await attempt(b.number, b.pin)).to.equal('rate_limited');
      expect(await attempt(b.number, null)).to.equal('rate_limited');
      expect((await cardById(t.billing.db, a.card_id))?.pin_failures).to.equal(1);
      expect(await t.billing.tx((ctx) => authenticateCard(ctx, b.number, b.pin, { throttle_key: 'ip:198.51.100.1' })).then(code)).to.equal('ok');
    });

    it('a number or PIN not well formed is refused like a wrong one and counted against the source, never against a card; a number typed with spaces or dashes is the card', async () => {
      const key = `ip:203.0.113.${Math.floor(Math.random() * 250)}`;
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const attempt = (number: string, pin: string) => t.billing.tx((ctx) => authenticateCard(ctx, number, pin, { throttle_key: key })).then(code);
      expect(await attempt(c.number, 'ab12')).to.equal('invalid_card_credentials');
      expect(await attempt(c.number, `${c.pin}0000000000`.slice(0, 13))).to.equal('invalid_card_credentials'); // 13 digits
      expect((await cardById(t.billing.db, c.card_id))?.pin_failures, 'no PIN failure counted on the card').to.equal(0);
      const spaced = c.number.replace(/(\d{4})(?=\d)/g, '$1 ');
      expect(await attempt(spaced, c.pin)).to.equal('ok');
      expect(await attempt(c.number.replace(/(\d{4})(?=\d)/g, '$1-'), c.pin)).to.equal('ok');
      expect(await attempt(`${c.number.slice(0, 15)}${(Number(c.number[15]) + 1) % 10}`, c.pin)).to.equal('invalid_card_credentials'); // fails Luhn
      expect(await t.billing.tx((ctx) => sourceThrottled(ctx, { throttle_key: key })), 'three failures from the source').to.equal(true);
    });

    it('reads both keys of a source at once and names the budget that ran out: the merchant before its customer', async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      const [merchant, customer] = [`merchant:t${tag}`, `ip:198.51.100.${Math.floor(Math.random() * 250)}-${tag}`];
      /** Locks `key` until `in_ms` from now (null: failures counted, no lock). */
      const lock = (key: string, in_ms: number | null) => t.billing.tx((ctx) => ctx.q.run(
        'INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES (?, 0, ?, ?) ON CONFLICT (key) DO UPDATE SET locked_until_ms = excluded.locked_until_ms',
        [key, ctx.now_ms, in_ms === null ? null : ctx.now_ms + in_ms],
      ));
      const which = (source: { merchant_key?: string; throttle_key?: string }) => t.billing.tx((ctx) => throttledSource(ctx, source));
      const both = { merchant_key: merchant, throttle_key: customer };
      expect(await which(both)).to.equal(null);
      expect(await which({})).to.equal(null);
      await lock(customer, 60_000);
      expect(await which(both)).to.equal('source');
      expect(await which({ merchant_key: merchant })).to.equal(null);
      await lock(merchant, 60_000);
      expect(await which(both)).to.equal('merchant');
      expect(await which({ throttle_key: customer })).to.equal('source');
      await lock(customer, null); // counted, not locked
      expect(await which(both)).to.equal('merchant');
      await lock(merchant, -1); // a lock that has run out
      expect(await which(both)).to.equal(null);
    });

    it('by number alone: finds the card whatever its PIN lock, counting nothing', async () => {
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const wrong = c.pin === '0000' ? '1111' : '0000';
      for (let i = 0; i < 3; i++) await t.billing.tx((ctx) => authenticateCard(ctx, c.number, wrong));
      expect(await t.billing.tx((ctx) => authenticateCard(ctx, c.number, c.pin)).then(code)).to.equal('card_locked');
      const found = await t.billing.tx((ctx) => authenticateCard(ctx, c.number, null, { throttle_key: 'ip:198.51.100.2' }));
      expect(found.ok && found.value.id).to.equal(c.card_id);
    });

    it('without a source key: no throttle, the card lock still counts', async () => {
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const wrong = c.pin === '0000' ? '1111' : '0000';
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(await t.billing.tx((ctx) => authenticateCard(ctx, c.number, wrong)).then(code));
      expect(codes).to.deep.equal(['invalid_card_credentials', 'invalid_card_credentials', 'invalid_card_credentials', 'card_locked']);
    });
  });
}
