import { expect } from 'chai';
import { setCardStatus, adjustCard, transferAll, rechargeCard } from '../../billing/cards/card-admin';
import { cardById } from '../../billing/cards/card-rows';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize, capture, refund, voidAuthorization, balance } from '../../billing/settlement/settlement';
import type { TxContext } from '../../billing/shared/context';
import type { Result } from '../../billing/shared/errors';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/**
 * The ledger as a table: each row is one operation on a fresh 50.00 USD card, its expected result
 * code, and the card's balance / available afterwards. Run on SQLite and PostgreSQL.
 */
interface World { t: TestBilling; merchant: number; other: number; number: string; pin: string; card_id: number; last: Map<string, string> }
type Op = (ctx: TxContext, w: World) => Promise<Result<unknown>>;
interface Row { name: string; setup?: Op[]; op: Op; expect: string; balance: number; available: number }

const auth = (amount: number, extra: Record<string, unknown> = {}): Op => async (ctx, w) => {
  const r = await authorize(ctx, w.merchant, { card_number: w.number, pin: w.pin, amount, currency: 'USD', ...extra });
  if (r.ok) w.last.set('auth', r.value.id);
  return r;
};
const cap = (amount?: number): Op => (ctx, w) => capture(ctx, w.merchant, w.last.get('auth') ?? 'none', amount);
const voidIt: Op = (ctx, w) => voidAuthorization(ctx, w.merchant, w.last.get('auth') ?? 'none');
const refundIt = (amount?: number): Op => (ctx, w) => refund(ctx, w.merchant, w.last.get('auth') ?? 'none', amount, 'test');
const expire = (ms: number): Op => async (_ctx, w) => { w.t.clock.advance(ms); return { ok: true, value: null }; };

const ROWS: Row[] = [
  { name: 'authorize within balance', op: auth(3000), expect: 'ok', balance: 5000, available: 2000 },
  { name: 'authorize the whole balance', op: auth(5000), expect: 'ok', balance: 5000, available: 0 },
  { name: 'authorize one cent too much', op: auth(5001), expect: 'insufficient_funds', balance: 5000, available: 5000 },
  { name: 'authorize zero', op: auth(0), expect: 'validation_error', balance: 5000, available: 5000 },
  { name: 'authorize negative', op: auth(-100), expect: 'validation_error', balance: 5000, available: 5000 },
  { name: 'authorize fractional', op: auth(1.5), expect: 'validation_error', balance: 5000, available: 5000 },
  { name: 'authorize in another currency', op: auth(100, { currency: 'EUR' }), expect: 'currency_mismatch', balance: 5000, available: 5000 },
  { name: 'authorize with a wrong PIN', op: auth(100, { pin: '0000x' }), expect: 'invalid_card_credentials', balance: 5000, available: 5000 },
  { name: 'authorize an unknown card', op: auth(100, { card_number: '4111111111111111' }), expect: 'invalid_card_credentials', balance: 5000, available: 5000 },
  { name: 'authorize and capture at once', op: auth(1250, { capture: true }), expect: 'ok', balance: 3750, available: 3750 },
  { name: 'capture in whole', setup: [auth(2000)], op: cap(), expect: 'ok', balance: 3000, available: 3000 },
  { name: 'capture in part releases the rest', setup: [auth(2000)], op: cap(500), expect: 'ok', balance: 4500, available: 4500 },
  { name: 'capture more than authorized', setup: [auth(2000)], op: cap(2001), expect: 'validation_error', balance: 5000, available: 3000 },
  { name: 'capture twice', setup: [auth(2000), cap()], op: cap(), expect: 'invalid_state', balance: 3000, available: 3000 },
  { name: 'void a pending authorization', setup: [auth(2000)], op: voidIt, expect: 'ok', balance: 5000, available: 5000 },
  { name: 'void a captured authorization', setup: [auth(2000), cap()], op: voidIt, expect: 'invalid_state', balance: 3000, available: 3000 },
  { name: 'capture a voided authorization', setup: [auth(2000), voidIt], op: cap(), expect: 'invalid_state', balance: 5000, available: 5000 },
  { name: 'capture after expiry with money available', setup: [auth(2000), expire(8 * 86_400_000)], op: cap(), expect: 'ok', balance: 3000, available: 3000 },
  { name: 'capture after expiry without the money', setup: [auth(2000), expire(8 * 86_400_000), auth(4000)], op: async (ctx, w) => capture(ctx, w.merchant, w.last.get('first') ?? '', undefined), expect: 'insufficient_funds', balance: 5000, available: 1000 },
  { name: 'void after expiry', setup: [auth(2000), expire(8 * 86_400_000), async (ctx) => { await ctx.q.run("UPDATE holds SET status = 'expired' WHERE status = 'pending'"); await ctx.q.run('UPDATE cards SET pending_minor = 0'); return { ok: true, value: null }; }], op: voidIt, expect: 'invalid_state', balance: 5000, available: 5000 },
  { name: 'refund in part', setup: [auth(2000, { capture: true })], op: refundIt(500), expect: 'ok', balance: 3500, available: 3500 },
  { name: 'refund in whole', setup: [auth(2000, { capture: true })], op: refundIt(), expect: 'ok', balance: 5000, available: 5000 },
  { name: 'refund more than captured', setup: [auth(2000, { capture: true }), refundIt(1500)], op: refundIt(600), expect: 'validation_error', balance: 4500, available: 4500 },
  { name: 'refund an uncaptured authorization', setup: [auth(2000)], op: refundIt(), expect: 'invalid_state', balance: 5000, available: 3000 },
  { name: 'refund a fully refunded one', setup: [auth(2000, { capture: true }), refundIt()], op: refundIt(), expect: 'invalid_state', balance: 5000, available: 5000 },
  { name: 'capture another merchant\'s authorization', setup: [auth(2000)], op: (ctx, w) => capture(ctx, w.other, w.last.get('auth') ?? '', undefined), expect: 'not_found', balance: 5000, available: 3000 },
  { name: 'spend on a suspended card', setup: [async (ctx, w) => setCardStatus(ctx, w.card_id, 'suspended')], op: auth(100), expect: 'card_suspended', balance: 5000, available: 5000 },
  { name: 'spend on a closed card', setup: [async (ctx, w) => setCardStatus(ctx, w.card_id, 'closed')], op: auth(100), expect: 'card_closed', balance: 5000, available: 5000 },
  { name: 'adjust up', op: (ctx, w) => adjustCard(ctx, w.card_id, 250, 'goodwill', 'op'), expect: 'ok', balance: 5250, available: 5250 },
  { name: 'adjust below held money', setup: [auth(4000)], op: (ctx, w) => adjustCard(ctx, w.card_id, -1001, 'fix', 'op'), expect: 'insufficient_funds', balance: 5000, available: 1000 },
  { name: 'adjust down to exactly zero available', setup: [auth(4000)], op: (ctx, w) => adjustCard(ctx, w.card_id, -1000, 'fix', 'op'), expect: 'ok', balance: 4000, available: 0 },
  { name: 'recharge', op: (ctx, w) => rechargeCard(ctx, w.card_id, 1000, 'USD', 'order_1'), expect: 'ok', balance: 6000, available: 6000 },
  { name: 'recharge in another currency', op: (ctx, w) => rechargeCard(ctx, w.card_id, 1000, 'EUR', null), expect: 'currency_mismatch', balance: 5000, available: 5000 },
  { name: 'balance with the right PIN', op: (ctx, w) => balance(ctx, w.number, w.pin), expect: 'ok', balance: 5000, available: 5000 },
];

for (const kind of KINDS) {
  describe(`ledger operations as a table (${kind})`, function () {
    let t: TestBilling;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    after(async () => t?.close());

    for (const row of ROWS) {
      it(`${row.name} → ${row.expect}`, async () => {
        const issued = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
        const m = await t.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
        const o = await t.billing.tx((ctx) => createMerchant(ctx, 'Other'));
        if (!m.ok || !o.ok) throw new Error('merchant');
        const w: World = { t, merchant: m.value.merchant.id, other: o.value.merchant.id, number: issued.number, pin: issued.pin, card_id: issued.card_id, last: new Map() };
        for (const step of row.setup ?? []) {
          const r = await t.billing.tx((ctx) => step(ctx, w));
          if (!w.last.has('first') && w.last.has('auth')) w.last.set('first', w.last.get('auth') ?? '');
          expect(r.ok, `setup step of "${row.name}": ${r.ok ? '' : r.error.code}`).to.equal(true);
        }
        const r = await t.billing.tx((ctx) => row.op(ctx, w));
        expect(r.ok ? 'ok' : r.error.code).to.equal(row.expect);
        const card = await cardById(t.billing.db, issued.card_id);
        expect({ balance: card?.balance_minor, available: (card?.balance_minor ?? 0) - (card?.pending_minor ?? 0) }).to.deep.equal({ balance: row.balance, available: row.available });
        const report = await verifyLedger(t.billing.db);
        expect(report.violations).to.deep.equal([]);
      });
    }

    it('voucher transfer moves the whole available balance in one entry', async () => {
      const a = await t.billing.issueCard({ value_minor: 1234, currency: 'USD' });
      const b = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const r = await t.billing.tx((ctx) => transferAll(ctx, a.card_id, b.card_id, 'voucher'));
      expect(r.ok && r.value.amount_minor).to.equal(1234);
      expect((await cardById(t.billing.db, b.card_id))?.balance_minor).to.equal(1334);
      expect((await cardById(t.billing.db, a.card_id))?.balance_minor).to.equal(0);
      const again = await t.billing.tx((ctx) => transferAll(ctx, a.card_id, b.card_id, 'voucher'));
      expect(again.ok ? 'ok' : again.error.code).to.equal('insufficient_funds');
      expect((await verifyLedger(t.billing.db)).ok).to.equal(true);
    });
  });
}
