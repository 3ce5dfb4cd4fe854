import { expect } from 'chai';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck, lookupRate } from '../../billing/rating/rate-store';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const rate = (over: Partial<Rate> = {}): Rate => ({
  prefix: '44', destination: 'UK', rate_per_minute_scaled: 10 * RATE_SCALE, connect_fee_minor: 0,
  initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...over,
});

/** The product rates every call with lookupRate (SQL): the longest matching prefix of the active deck wins. */
for (const kind of KINDS) {
  describe(`rate lookup: longest prefix wins (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      const deck = [rate({ prefix: '4', destination: 'Europe' }), rate({ prefix: '44', destination: 'UK' }), rate({ prefix: '447', destination: 'UK mobile' }), rate({ prefix: '4479', destination: 'blocked', blocked: true })];
      await importDeck(t.billing.db, 'default', 'USD', deck, t.clock.ms);
      await importDeck(t.billing.db, 'ties', 'USD', [rate({ prefix: '441' }), rate({ prefix: '442' })], t.clock.ms);
    });
    after(async () => t?.close());

    const rows: Array<[string, string | undefined]> = [['442071234567', 'UK'], ['447700900123', 'UK mobile'], ['447912345678', 'blocked'], ['49301234567', 'Europe'], ['15551234567', undefined]];
    for (const [number, dest] of rows) it(`${number} → ${dest ?? 'no rate'}`, async () => expect((await lookupRate(t.billing.db, number))?.destination).to.equal(dest));
    it('equal-length prefixes cannot both match one number (the store rejects duplicate prefixes)', async () => {
      expect((await lookupRate(t.billing.db, '4411', 'ties'))?.prefix).to.equal('441');
      expect((await lookupRate(t.billing.db, '4421', 'ties'))?.prefix).to.equal('442');
    });
  });
}
