import { expect } from 'chai';
import type { BatchCard } from '../../billing/batches/batch-card';
import { writeBatch, SerialTakenError } from '../../billing/batches/batch-writer';
import { CardNumberGenerator } from '../../billing/batches/digit-source';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { testCardNumber } from './cli-process';

/** The bulk writer against a non-empty cards table: taken numbers are replaced, taken serials abort everything. */
for (const kind of KINDS) {
  describe(`batch writer on a populated database (${kind})`, () => {
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    after(async () => t?.close());

    const spec = (name: string) => ({ name, currency: 'USD', status: 'active' as const, source: 'generated' as const, actor: 'test', value_minor: 300 });
    const card = (i: number, serial = `T-${i}`): BatchCard => ({ number: testCardNumber(i), pin: '1234', serial, value_minor: 300, expiry: { kind: 'none' } });

    it('replaces a number already issued (web shop card) and books the batch once; ids follow existing cards', async () => {
      const shop = await t.billing.issueCard({ value_minor: 999, currency: 'USD' });
      await writeBatch(t.billing.db, t.billing.hasher, t.clock.ms, spec('first'), { cards: () => [[card(1), card(2)]], onTakenNumber: () => { throw new Error('no clash expected'); } });
      const numbers = new CardNumberGenerator('7');
      const replaced: string[] = [];
      const b = await writeBatch(t.billing.db, t.billing.hasher, t.clock.ms, spec('second'), {
        cards: () => [[card(3), { ...card(4), number: shop.number }, { ...card(5), number: testCardNumber(2) }]],
        onTakenNumber: (c) => { replaced.push(c.serial); return { ...c, number: numbers.next() }; },
      });
      expect(replaced).to.deep.equal(['T-4', 'T-5']);
      expect(b).to.include({ card_count: 3, total_minor: 900, status: 'active' });
      const ids = await t.billing.db.all<{ id: number }>('SELECT id FROM cards ORDER BY id');
      expect(ids.map((r) => Number(r.id))).to.deep.equal([1, 2, 3, 4, 5, 6]);
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('a serial already used aborts the whole batch: no batch, no cards, no entry', async () => {
      const before = await t.billing.db.one<{ c: number; e: number }>('SELECT (SELECT COUNT(*) FROM cards) AS c, (SELECT COUNT(*) FROM ledger_entries) AS e');
      let err: unknown;
      try {
        await writeBatch(t.billing.db, t.billing.hasher, t.clock.ms, spec('third'), { cards: () => [[card(10), card(11, 'T-1')]], onTakenNumber: (c) => c });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(SerialTakenError);
      const after = await t.billing.db.one<{ c: number; e: number }>('SELECT (SELECT COUNT(*) FROM cards) AS c, (SELECT COUNT(*) FROM ledger_entries) AS e');
      expect(after).to.deep.equal(before);
      expect(await t.billing.db.one("SELECT id FROM batches WHERE name = 'third'")).to.equal(undefined);
    });
  });
}
