import { expect } from 'chai';
import { adjustCard } from '../../billing/cards/card-admin';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize, capture, refund, voidAuthorization } from '../../billing/settlement/settlement';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/**
 * Random interleavings of holds, partial captures, voids, expiries, refunds and adjustments from
 * many concurrent workers (on PostgreSQL: a pool of 8 connections, so really concurrent
 * transactions). A client-side model of what succeeded must match the books exactly.
 */
for (const kind of KINDS) {
  describe(`concurrent spenders never overdraw, lose or double a posting (${kind})`, function () {
    this.timeout(120_000);
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind, { merchant_hold_ttl_ms: 60_000, pin_max_failures: 1_000_000 }, { poolSize: 8 });
    });
    after(async () => t?.close());

    it('holds the invariants over 1,600 random operations from 16 workers', async () => {
      const CARDS = 4;
      const cards = await Promise.all(Array.from({ length: CARDS }, () => t.billing.issueCard({ value_minor: 3000, currency: 'USD' })));
      const m = await t.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
      if (!m.ok) throw m.error;
      const merchant = m.value.merchant.id;

      let seed = kind === 'pg' ? 7 : 11;
      const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
      const model = { captured: 0, refunded: 0, adjusted: 0, codes: new Map<string, number>() };
      const open: string[] = [];
      const capturedIds: Array<{ id: string; left: number }> = [];
      const count = (code: string) => model.codes.set(code, (model.codes.get(code) ?? 0) + 1);
      let minAvailableSeen = Infinity;

      const worker = async () => {
        for (let i = 0; i < 100; i++) {
          const card = cards[rnd(CARDS)];
          if (!card) throw new Error('card');
          const op = rnd(100);
          if (op < 40) {
            const amount = 1 + rnd(900);
            const r = await t.billing.tx((ctx) => authorize(ctx, merchant, { card_number: card.number, pin: card.pin, amount, currency: 'USD', capture: rnd(4) === 0 }));
            count(r.ok ? 'authorize:ok' : `authorize:${r.error.code}`);
            if (r.ok) {
              minAvailableSeen = Math.min(minAvailableSeen, r.value.card.available);
              if (r.value.status === 'captured') { model.captured += amount; capturedIds.push({ id: r.value.id, left: amount }); } else open.push(r.value.id);
            }
          } else if (op < 60 && open.length) {
            const id = open.splice(rnd(open.length), 1)[0] ?? '';
            const partial = rnd(2) === 0;
            const r = await t.billing.tx(async (ctx) => {
              const amount = partial ? 1 : undefined;
              return capture(ctx, merchant, id, amount);
            });
            count(r.ok ? 'capture:ok' : `capture:${r.error.code}`);
            if (r.ok) { model.captured += r.value.captured_amount; capturedIds.push({ id, left: r.value.captured_amount }); }
          } else if (op < 72 && open.length) {
            const id = open.splice(rnd(open.length), 1)[0] ?? '';
            const r = await t.billing.tx((ctx) => voidAuthorization(ctx, merchant, id));
            count(r.ok ? 'void:ok' : `void:${r.error.code}`);
          } else if (op < 82 && capturedIds.length) {
            const c = capturedIds[rnd(capturedIds.length)];
            if (!c || c.left === 0) continue;
            const amount = 1 + rnd(c.left);
            c.left -= amount; // reserve in the model before the await: refunds of one capture race each other
            const r = await t.billing.tx((ctx) => refund(ctx, merchant, c.id, amount, null));
            count(r.ok ? 'refund:ok' : `refund:${r.error.code}`);
            if (r.ok) model.refunded += amount; else c.left += amount;
          } else if (op < 90) {
            const amount = rnd(2) ? 1 + rnd(300) : -(1 + rnd(300));
            const r = await t.billing.tx((ctx) => adjustCard(ctx, card.card_id, amount, 'property test', 'test'));
            count(r.ok ? 'adjust:ok' : `adjust:${r.error.code}`);
            if (r.ok) model.adjusted += amount;
          } else if (op < 95) {
            t.clock.advance(rnd(40_000)); // some pending holds pass their expiry
          } else {
            const r = await t.billing.sweep(50);
            count(`sweep:${r.expired_holds > 0 ? 'expired' : 'none'}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      await t.billing.sweep(10_000);

      const report = await verifyLedger(t.billing.db);
      expect(report.violations).to.deep.equal([]);
      const totals = await t.billing.db.one<{ balance: number; pending: number; negative: number }>(
        'SELECT SUM(balance_minor) AS balance, SUM(pending_minor) AS pending, SUM(CASE WHEN balance_minor < pending_minor THEN 1 ELSE 0 END) AS negative FROM cards',
      );
      const payable = await t.billing.db.one<{ total: number }>("SELECT COALESCE(SUM(amount_minor), 0) AS total FROM postings WHERE account = ?", [`merchant:${merchant}:payable`]);
      expect(Number(totals?.negative)).to.equal(0);
      expect(Number(totals?.balance)).to.equal(CARDS * 3000 - model.captured + model.refunded + model.adjusted);
      expect(Number(payable?.total)).to.equal(model.captured - model.refunded);
      expect(minAvailableSeen).to.be.at.least(0);
      // The run exercised the interesting outcomes, not just the happy path.
      expect(model.codes.get('authorize:ok') ?? 0).to.be.greaterThan(20);
      expect(model.codes.get('authorize:insufficient_funds') ?? 0, JSON.stringify([...model.codes])).to.be.greaterThan(0);
    });

    it('200 concurrent 1.00 holds on a 50.00 card: exactly 50 succeed', async () => {
      const card = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
      const m = await t.billing.tx((ctx) => createMerchant(ctx, 'Rush'));
      if (!m.ok) throw m.error;
      const results = await Promise.all(Array.from({ length: 200 }, () =>
        t.billing.tx((ctx) => authorize(ctx, m.value.merchant.id, { card_number: card.number, pin: card.pin, amount: 100, currency: 'USD', capture: true }))));
      const okCount = results.filter((r) => r.ok).length;
      const codes = new Set(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.error.code)));
      expect(okCount).to.equal(50);
      expect([...codes]).to.deep.equal(['insufficient_funds']);
      const row = await t.billing.db.one<{ balance_minor: number }>('SELECT balance_minor FROM cards WHERE id = ?', [card.card_id]);
      expect(row?.balance_minor).to.equal(0);
      expect((await verifyLedger(t.billing.db)).ok).to.equal(true);
    });
  });
}
