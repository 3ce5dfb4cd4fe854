import { expect } from 'chai';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorizeInOneUpdate } from '../../billing/settlement/authorize-in-one-update';
import { authorize } from '../../billing/settlement/settlement';
import type { AuthorizeInput } from '../../billing/settlement/settlement';
import { unwrap } from '../../billing/shared/errors';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { DECLINED, snapshot } from '../support/declined-authorizations';
import type { World } from '../support/declined-authorizations';

/**
 * An authorization's short path on SQLite: ONE UPDATE when nothing stands in its way, then the
 * general path's own writes; otherwise nothing written and null, so the general path decides. Only
 * SQLite runs it (on PostgreSQL the whole move is one statement: test/billing/one-statement.test.ts).
 */
describe('authorization in one UPDATE (sqlite)', function () {
  let t: TestBilling;
  let w: World;
  const source = () => ({ merchant_key: `merchant:${w.merchant}`, throttle_key: 'ip:192.0.2.7' });
  before(async function () { await requireKind(this, 'sqlite'); });
  beforeEach(async () => {
    t = await createTestBilling('sqlite', { merchant_hold_ttl_ms: 60_000 });
    const card = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    const m = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Shop')));
    const o = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Other')));
    w = { t, merchant: m.merchant.id, other: o.merchant.id, number: card.number, pin: card.pin, card_id: card.card_id };
  });
  afterEach(async () => t?.close());

  const input = (more: Partial<AuthorizeInput> = {}, number = w.number, pin = w.pin): AuthorizeInput =>
    ({ card_number: number, pin, amount: 100, currency: 'USD', ...more });

  for (const row of DECLINED.filter((r) => r.key === undefined)) { // keys are bound before it runs (runMoneyMove)
    it(`declines, writing nothing: ${row.name}`, async () => {
      if (row.setup) await t.billing.tx((ctx) => row.setup!(ctx, w));
      const before = await snapshot(t);
      expect(await t.billing.tx((ctx) => authorizeInOneUpdate(ctx, w.merchant, input(row.input), source()))).to.equal(null);
      expect(await snapshot(t)).to.deep.equal(before);
    });
  }

  it('writes, and answers, what the general path writes and answers', async () => {
    // A twin card in the same state but for one failed PIN counted: the UPDATE declines it, and the
    // general path resets the count and then spends, as it does for every card.
    const twin = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    await t.billing.tx((ctx) => ctx.q.run('UPDATE cards SET pin_failures = 1 WHERE id = ?', [twin.card_id]));
    const q = t.billing.read().q;
    const cases: Array<Partial<AuthorizeInput>> = [
      { amount: 1200, reference: 'order-7', description: 'two coffees' },
      { amount: 300, capture: true, reference: 'order-8' },
    ];
    for (const more of cases) {
      const short = await t.billing.tx((ctx) => authorizeInOneUpdate(ctx, w.merchant, input(more), source()));
      expect(short, 'the short path took it').to.not.equal(null);
      const general = unwrap(await t.billing.tx((ctx) => authorize(ctx, w.merchant, input(more, twin.number, twin.pin), source())));
      expect({ ...short!, id: null }).to.deep.equal({ ...general, id: null, card: { ...general.card, last4: w.number.slice(-4) } });
      const rowsOf = async (id: string) => ({
        hold: { ...(await q.one<Record<string, unknown>>('SELECT * FROM holds WHERE id = ?', [id])), id: null, card_id: null },
        entries: await q.all('SELECT kind, hold_id IS NOT NULL AS has_hold, reference, reason, actor, created_at_ms FROM ledger_entries WHERE hold_id = ?', [id]),
        postings: await q.all("SELECT replace(p.account, CAST(p.card_id AS TEXT), 'N') AS account, p.card_id IS NULL AS merchant_side, p.amount_minor, p.currency FROM postings p JOIN ledger_entries e ON e.id = p.entry_id WHERE e.hold_id = ? ORDER BY p.id", [id]),
      });
      expect(await rowsOf(short!.id)).to.deep.equal(await rowsOf(general.id));
    }
    const cardCols = 'balance_minor, pending_minor, pin_failures, pin_lockouts, locked_until_ms, first_used_at_ms, expires_at_ms, status';
    expect(await q.one(`SELECT ${cardCols} FROM cards WHERE id = ?`, [w.card_id])).to.deep.equal(await q.one(`SELECT ${cardCols} FROM cards WHERE id = ?`, [twin.card_id]));
    expect(await q.one(`SELECT ${cardCols} FROM cards WHERE id = ?`, [w.card_id])).to.include({ balance_minor: 4700, pending_minor: 1200, first_used_at_ms: t.clock.ms });
    expect((await verifyLedger(q)).violations).to.deep.equal([]);
  });

  it('is what `authorize` tries first on SQLite: the card row is never read when the UPDATE takes the authorization', async () => {
    // Seen from outside, both paths write the same (above): the proof is in the statements prepared
    // on this fresh database's writer.
    const statements: string[] = [];
    const raw = (t.billing.db as unknown as { raw: { prepare(sql: string): unknown } }).raw;
    const prepare = raw.prepare.bind(raw);
    raw.prepare = (sql: string) => { statements.push(sql); return prepare(sql); };
    try {
      unwrap(await t.billing.tx((ctx) => authorize(ctx, w.merchant, input({ capture: true }), source())));
    } finally { raw.prepare = prepare; }
    expect(statements.some((s) => s.startsWith('UPDATE cards SET\n    balance_minor = balance_minor - ?'))).to.equal(true);
    expect(statements.filter((s) => /^SELECT .* FROM cards WHERE number_hash/s.test(s))).to.deep.equal([]);
  });
});
