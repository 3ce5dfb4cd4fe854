import { expect } from 'chai';
import pg from 'pg';
import { Billing } from '../../billing/billing';
import { adjustCard, rechargeCard, setCardStatus, transferAll, unlockCardPin } from '../../billing/cards/card-admin';
import { SecretHasher } from '../../billing/cards/secrets';
import { cardCallId, claimCardCall, claimCardPlace } from '../../billing/calls/card-calls';
import { CallMetering } from '../../billing/calls/call-metering';
import { insertCallRecord } from '../../billing/calls/call-records';
import { createHold } from '../../billing/holds/hold-engine';
import { captureHoldNow, placeHold } from '../../billing/holds/hold-moves';
import { cardById } from '../../billing/cards/card-rows';
import { merchantPayable } from '../../billing/ledger/accounts';
import { createMerchant } from '../../billing/merchants/merchants';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { authorize, capture, refund, voidAuthorization } from '../../billing/settlement/settlement';
import type { AuthorizeInput } from '../../billing/settlement/settlement';
import { authorizeInOneStatement, captureInOneStatementForMerchant, voidInOneStatementForMerchant } from '../../billing/settlement/settlement-one-statement';
import type { TxContext } from '../../billing/shared/context';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { holdCard } from '../support/card-holder';
import { createTestDatabase, FixedClock, PG_ADMIN_URL, requireKind, TEST_SECRET } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/**
 * The protocol of billing/cards/card-lock.ts, checked by PostgreSQL itself: a trigger on `cards` and
 * `holds` (test-only) refuses any UPDATE or DELETE of a card's row, or of one of its holds, by a
 * transaction that does not hold that card's lock. The product's every way of writing them then runs
 * — one-statement moves and general transactions, merchants, operators, the sweeper, calls — while
 * an unrelated card is held by another transaction the whole time; once with PostgreSQL's plans,
 * once with index scans switched off, so a lock taken on every row a scan passes would wait for that
 * card forever.
 */
const CHECK = `
CREATE FUNCTION test_written_under_card_lock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE card bigint;
BEGIN
  IF TG_TABLE_NAME = 'cards' THEN card := OLD.id; ELSE card := OLD.card_id; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 1
                 AND (classid::bigint << 32 | objid::bigint) = card) THEN
    RAISE EXCEPTION 'card % written without its lock (%)', card, TG_TABLE_NAME;
  END IF;
  RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER cards_under_lock BEFORE UPDATE OR DELETE ON cards FOR EACH ROW EXECUTE FUNCTION test_written_under_card_lock();
CREATE TRIGGER holds_under_lock BEFORE UPDATE OR DELETE ON holds FOR EACH ROW EXECUTE FUNCTION test_written_under_card_lock();`;

const SELL: Rate = { prefix: '1', destination: 'US', rate_per_minute_scaled: 10 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false };
const ENDED = (s: number) => ({ hangup_cause: 'normal', answered_at_ms: 1_000, ended_at_ms: 1_000 + s * 1000, status: 'completed' as const });

async function admin(sql: string, url = PG_ADMIN_URL): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

describe('the card lock on PostgreSQL (billing/cards/card-lock.ts)', function () {
  let tdb: TestDatabase;
  let billing: Billing;
  let clock: FixedClock;
  before(async function () { await requireKind(this, 'pg'); });

  async function open(planner: 'default' | 'no index scans'): Promise<void> {
    tdb = await createTestDatabase('pg');
    const name = new URL(tdb.url).pathname.slice(1);
    if (planner === 'no index scans') await admin(`ALTER DATABASE ${name} SET enable_indexscan = off; ALTER DATABASE ${name} SET enable_bitmapscan = off`);
    clock = new FixedClock();
    billing = new Billing(tdb.open(), new SecretHasher(TEST_SECRET), clock, DEFAULT_POLICY);
    await admin(CHECK, tdb.url);
  }
  afterEach(async () => { await billing?.db.close(); await tdb?.drop(); });

  const one = (): TxContext => {
    const ctx = billing.oneStatement();
    if (!ctx) throw new Error('PostgreSQL has one-statement moves');
    return ctx;
  };

  it('the check itself: a write of a card without its lock is refused', async () => {
    await open('default');
    const { card_id } = await billing.issueCard({ value_minor: 500, currency: 'USD' });
    let error: unknown;
    await billing.tx((ctx) => ctx.q.run('UPDATE cards SET pin_failures = 0 WHERE id = ?', [card_id])).catch((e: unknown) => { error = e; });
    expect(String(error)).to.match(/card \d+ written without its lock \(cards\)/);
    await billing.tx(async (ctx) => {
      await cardById(ctx.q, card_id, true);
      await ctx.q.run('UPDATE cards SET pin_failures = 0 WHERE id = ?', [card_id]);
    });
  });

  for (const planner of ['default', 'no index scans'] as const) {
    it(`every way the product writes a card or its holds takes the card's lock first (${planner} plans, another card held meanwhile)`, async () => {
      await open(planner);
      const db = billing.db as PostgresDatabase;
      const card = await billing.issueCard({ value_minor: 100_000, currency: 'USD' });
      const voucher = await billing.issueCard({ value_minor: 300, currency: 'USD' });
      const bystander = await billing.issueCard({ value_minor: 100, currency: 'USD' });
      const m = unwrap(await billing.tx((ctx) => createMerchant(ctx, 'shop'))).merchant.id;
      const input = (over: Partial<AuthorizeInput> = {}): AuthorizeInput => ({ card_number: card.number, pin: card.pin, amount: 100, currency: 'USD', ...over });
      const held = await holdCard(billing.db, bystander.card_id);
      try {
        const groupedBefore = db.groupCommit!.stats.statements;
        // One-statement moves (each must run, not decline: a decline writes nothing).
        const a1 = await authorizeInOneStatement(one(), m, input(), {}, null);
        expect(a1?.status, 'authorized in one statement').to.equal(201);
        const a1id = (a1!.body as { id: string }).id;
        expect((await captureInOneStatementForMerchant(one(), m, a1id, 40, null))?.status).to.equal(200);
        const a2 = await authorizeInOneStatement(one(), m, input(), {}, null);
        expect((await voidInOneStatementForMerchant(one(), m, (a2!.body as { id: string }).id, null))?.status).to.equal(200);
        const h = unwrap(await placeHold(billing, card.card_id, { kind: 'merchant', merchant_id: m, amount_minor: 30, currency: 'USD', ttl_ms: 60_000 }));
        unwrap(await captureHoldNow(billing, h.id, 30, { account: merchantPayable(m), entry_kind: 'capture' }));
        expect(db.groupCommit!.stats.statements - groupedBefore).to.be.greaterThanOrEqual(6);

        // General transactions: merchants (a wrong PIN counted, then reset), refunds.
        const g1 = unwrap(await billing.tx((ctx) => authorize(ctx, m, input())));
        unwrap(await billing.tx((ctx) => capture(ctx, m, g1.id, 50)));
        const g2 = unwrap(await billing.tx((ctx) => authorize(ctx, m, input())));
        unwrap(await billing.tx((ctx) => voidAuthorization(ctx, m, g2.id)));
        const charged = unwrap(await billing.tx((ctx) => authorize(ctx, m, input({ capture: true }))));
        unwrap(await billing.tx((ctx) => refund(ctx, m, charged.id, 25, 'returned')));
        expect((await billing.tx((ctx) => authorize(ctx, m, input({ pin: card.pin === '0000' ? '1111' : '0000' })))).ok, 'wrong PIN').to.equal(false);
        unwrap(await billing.tx((ctx) => authorize(ctx, m, input({ amount: 1 }))));

        // Operators.
        unwrap(await billing.tx((ctx) => setCardStatus(ctx, card.card_id, 'suspended')));
        unwrap(await billing.tx((ctx) => setCardStatus(ctx, card.card_id, 'active')));
        unwrap(await billing.tx((ctx) => unlockCardPin(ctx, card.card_id)));
        unwrap(await billing.tx((ctx) => adjustCard(ctx, card.card_id, 5, 'goodwill', 'ops')));
        unwrap(await billing.tx((ctx) => rechargeCard(ctx, card.card_id, 1_000, 'USD', 'order-1')));
        unwrap(await billing.tx((ctx) => transferAll(ctx, voucher.card_id, card.card_id, 'voucher')));

        // The sweeper expiring a hold.
        unwrap(await billing.tx(async (ctx) => createHold(ctx, (await cardById(ctx.q, card.card_id, true))!, { kind: 'merchant', merchant_id: m, amount_minor: 70, currency: 'USD', ttl_ms: 1_000 })));
        clock.advance(2_000);
        expect((await billing.sweep()).expired_holds).to.equal(1);

        // Calls: places (one statement, and a transaction), metering fenced (one statement) and not.
        expect(await claimCardPlace(billing, { id: cardCallId('n1', 'c1'), card_id: card.card_id, node_id: 'n1', channel_id: 'c1' }, { max_calls: 2, ttl_ms: 60_000 })).to.deep.equal({ claimed: true });
        expect(await billing.tx((ctx) => claimCardCall(ctx, { id: cardCallId('n1', 'c2'), card_id: card.card_id, node_id: 'n1', channel_id: 'c2' }, { max_calls: 2, ttl_ms: 60_000 }))).to.deep.equal({ claimed: true });
        for (const [id, owner] of [['call-owned', 'n1'], ['call-unowned', undefined]] as const) {
          await billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: ctx.now_ms, ivr_node: 'n1' }));
          const meter = new CallMetering(billing, id, card.card_id, 'USD', SELL, 60, owner);
          unwrap(await meter.extend());
          unwrap(await meter.extend());
          expect((await meter.finish(90, ENDED(90))).cost_minor).to.equal(20);
        }
      } finally {
        await held.release();
      }
      const after = await cardById(billing.read().q, card.card_id);
      // 100,000 − 40 − 30 − 50 − 100 + 25 + 5 + 1,000 + 300 − 20 − 20; pending: the 1 ¢ authorization.
      expect({ balance: after?.balance_minor, pending: after?.pending_minor }).to.deep.equal({ balance: 101_070, pending: 1 });
      expect((await verifyLedger(billing.read().q)).violations).to.deep.equal([]);
    });
  }
});
