import { expect } from 'chai';
import pg from 'pg';
import { CallMetering } from '../../billing/calls/call-metering';
import { callRecordById, insertCallRecord } from '../../billing/calls/call-records';
import { callChunkHold } from '../../billing/calls/call-holds';
import { finishInOneStatement } from '../../billing/calls/finish-one-statement';
import { reserveOrReadInOneStatement } from '../../billing/holds/one-statement';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import type { TxContext } from '../../billing/shared/context';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize } from '../../billing/settlement/settlement';
import { unwrap } from '../../billing/shared/errors';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/**
 * A call's metering in one statement (PostgreSQL). The final bill writes exactly what
 * CallMetering.finish's transaction writes — compared row by row with the same call billed by that
 * transaction — and declines, writing nothing, whatever that transaction must decide. A chunk the
 * card no longer affords whole is sized from the card's money its declined reservation locked and
 * told, as the transaction would size it.
 */
const SELL: Rate = { prefix: '1', destination: 'US', rate_per_minute_scaled: 10 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false };
const ENDED = (s: number) => ({ hangup_cause: 'normal', answered_at_ms: 1_000, ended_at_ms: 1_000 + s * 1000, status: 'completed' as const });

describe('a call\'s metering in one statement (pg)', function () {
  this.timeout(60_000);
  let t: TestBilling;
  let db: PostgresDatabase;
  let carrier_id: number;
  let n = 0;
  before(async function () { await requireKind(this, 'pg'); });
  beforeEach(async () => {
    t = await createTestBilling('pg');
    db = t.billing.db as PostgresDatabase;
    carrier_id = (await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name: 'alpha', sip_uri: 'sip:alpha.example.net' }))).id;
    // 0.30 a minute in 6 s blocks.
    await importCarrierDeck(t.billing.db, carrier_id, 'USD', [{ prefix: '1', destination: 'US', rate_per_minute_scaled: 30 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 6, increment_s: 6, min_charge_minor: 0, blocked: false }], t.clock.ms);
  });
  afterEach(async () => t?.close());

  const one = (): TxContext => {
    const ctx = t.billing.oneStatement();
    if (!ctx) throw new Error('PostgreSQL has one-statement moves');
    return ctx;
  };

  /** A card with $50 and an active call on it owned by node n1, its first minute reserved (and `minutes` − 1 more). `owner` undefined: a metering that never fences (finish always takes its transaction). */
  async function call(owner: string | undefined, opts: { carrier?: boolean; minutes?: number } = {}) {
    const card = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    const id = `n1-call-${++n}`;
    await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: '+15550001', access_number: '8000', channel_id: null, started_at_ms: ctx.now_ms, ivr_node: 'n1', destination: '12125551234' }));
    if (opts.carrier) await t.billing.routing.setCallCarrier(id, carrier_id);
    const m = new CallMetering(t.billing, id, card.card_id, 'USD', SELL, 60, owner);
    for (let i = 0; i < (opts.minutes ?? 1); i++) expect((await m.extend()).ok).to.equal(true);
    return { m, id, card_id: card.card_id };
  }

  /** What a final bill leaves: the call record, its holds, their entries and postings, the card's money (ids and the call's own names left out). */
  async function written(c: { id: string; card_id: number }) {
    const q = t.billing.read().q;
    const record = await callRecordById(q, c.id);
    const holds = await q.all<{ id: string }>('SELECT id, description, status, amount_minor, captured_minor, updated_at_ms FROM holds WHERE call_id = ? ORDER BY description', [c.id]);
    const entries = await q.all('SELECT e.kind, e.created_at_ms, p.account, p.amount_minor, p.currency FROM ledger_entries e JOIN postings p ON p.entry_id = e.id JOIN holds h ON h.id = e.hold_id WHERE h.call_id = ? ORDER BY e.id, p.amount_minor', [c.id]);
    const card = await q.one('SELECT balance_minor, pending_minor FROM cards WHERE id = ?', [c.card_id]);
    const { id: _id, card_id: _card, channel_id: _ch, ...rest } = record!;
    return { record: rest, holds: holds.map(({ id: _h, ...h }) => h), entries: entries.map((e) => ({ ...(e as object), account: String((e as { account: string }).account).replace(/^card:\d+$/, 'card') })), card };
  }

  const count = () => ({ statements: db.stats.statements, transactions: db.stats.transactions });

  for (const { name, talk_s, minutes = 1, elapsed_s = 0, carrier = false, statements, holds, card } of [
    { name: 'a chunk captured in part (30 s of a reserved minute)', talk_s: 30, statements: 1, holds: ['captured'], card: 4990 },
    { name: 'a chunk voided (a call that never talked)', talk_s: 0, statements: 1, holds: ['voided'], card: 5000 },
    { name: 'a chunk captured and the next one, reserved ahead, voided', talk_s: 30, minutes: 2, statements: 1, holds: ['captured', 'voided'], card: 4990 },
    { name: 'two chunks captured', talk_s: 90, minutes: 2, statements: 1, holds: ['captured', 'captured'], card: 4980 },
    { name: 'nothing left to settle (every chunk captured as it elapsed)', talk_s: 60, elapsed_s: 60, statements: 1, holds: ['captured'], card: 4990 },
    { name: 'a call whose carrier the SIP edge named: its buy cost too, learnt from the first attempt', talk_s: 30, carrier: true, statements: 2, holds: ['captured'], card: 4990 },
  ]) {
    it(`writes what the transaction writes, in ${statements} statement(s) and no transaction: ${name}`, async () => {
      const fast = await call('n1', { carrier, minutes });
      const slow = await call(undefined, { carrier, minutes });
      if (elapsed_s) for (const c of [fast, slow]) expect(await c.m.captureElapsed(elapsed_s)).to.equal(1);
      const before = count();
      const billFast = await fast.m.finish(talk_s, ENDED(talk_s));
      expect(count()).to.deep.equal({ statements: before.statements + statements, transactions: before.transactions });
      const billSlow = await slow.m.finish(talk_s, ENDED(talk_s));
      expect(db.stats.transactions, 'the unfenced metering took its transaction').to.equal(before.transactions + 1);
      expect(billFast).to.deep.equal(billSlow);
      const [a, b] = [await written(fast), await written(slow)];
      expect(a).to.deep.equal(b);
      const billed = Math.ceil(talk_s / 60) * 60;
      expect(a.record).to.deep.include({ status: 'completed', billed_seconds: billed, cost_minor: billed / 6, captured_minor: billed / 6, talk_ms: talk_s * 1000 });
      expect(a.record.buy_cost_minor === null ? null : Number(a.record.buy_cost_minor)).to.equal(carrier ? 15 : null);
      expect(a.holds.map((h) => (h as { status: string }).status)).to.deep.equal(holds);
      expect(a.card).to.deep.equal({ balance_minor: card, pending_minor: 0 });
      expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
    });
  }

  /** Everything a final bill could write, for "nothing written". */
  const everything = async () => {
    const q = t.billing.read().q;
    return {
      records: await q.all('SELECT id, status, billed_seconds, captured_minor, talk_ms, buy_cost_minor, ivr_node FROM call_records ORDER BY id'),
      holds: await q.all('SELECT id, status, captured_minor FROM holds ORDER BY id'),
      entries: Number((await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM postings'))?.n),
      cards: await q.all('SELECT id, balance_minor, pending_minor FROM cards ORDER BY id'),
    };
  };
  const close = (captured_minor: number) => ({ billed_seconds: 60, cost_minor: 10, captured_minor, talk_ms: 30_000, ...ENDED(30) });

  it('declines, writing nothing, a call another node has taken over; finish then refuses it', async () => {
    const c = await call('n1');
    await t.billing.tx((ctx) => ctx.q.run("UPDATE call_records SET ivr_node = 'n2' WHERE id = ?", [c.id]));
    const before = await everything();
    const hold_id = c.m.meter.chunks[0]!.hold_id;
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10))).to.equal(false);
    expect(await everything()).to.deep.equal(before);
    await expectRejection(c.m.finish(30, ENDED(30)), /no longer owned by IVR node n1/);
    expect(await everything()).to.deep.equal(before);
  });

  it('declines, writing nothing, a chunk of another call, an ended call, and a chunk already settled', async () => {
    const c = await call('n1');
    const other = await call('n1');
    const hold_id = c.m.meter.chunks[0]!.hold_id;
    const before = await everything();
    expect(await finishInOneStatement(one(), other.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10)), 'another call\'s chunk').to.equal(false);
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 11 }], close(11)), 'more than the chunk holds').to.equal(false);
    expect(await everything()).to.deep.equal(before);
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10))).to.equal(true);
    const after = await everything();
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10)), 'ended, chunk captured').to.equal(false);
    expect(await everything()).to.deep.equal(after);
  });

  it('declines at once, writing nothing, while another transaction holds the call record (a takeover under way) or the card', async () => {
    const c = await call('n1');
    const hold_id = c.m.meter.chunks[0]!.hold_id;
    const other = new pg.Client({ connectionString: t.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM call_records WHERE id = $1 FOR UPDATE', [c.id]);
      const before = await everything();
      const rolledBack = db.groupCommit!.stats.rolled_back;
      expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10))).to.equal(false);
      expect(await everything()).to.deep.equal(before);
      // Declined at once by SKIP LOCKED, not by its batch's lock_timeout rolling back its neighbours too.
      expect(db.groupCommit!.stats.rolled_back).to.equal(rolledBack);
      await other.query('ROLLBACK');
      await other.query('BEGIN');
      await other.query('SELECT id FROM cards WHERE id = $1 FOR UPDATE', [c.card_id]);
      expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id, amount_minor: 10 }], close(10)), 'the card locked (a merchant spending it)').to.equal(false);
      expect(await everything()).to.deep.equal(before);
      expect(db.groupCommit!.stats.rolled_back).to.equal(rolledBack);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });

  it('all or nothing: a bill of two chunks declines, writing nothing, when one of them is no longer pending', async () => {
    const c = await call('n1', { minutes: 2 });
    const [first, second] = c.m.meter.chunks.map((x) => x.hold_id);
    await t.billing.tx((ctx) => ctx.q.run("UPDATE holds SET status = 'expired' WHERE id = ?", [second!]).then(() => ctx.q.run('UPDATE cards SET pending_minor = pending_minor - 10 WHERE id = ?', [c.card_id])));
    const before = await everything();
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id: first!, amount_minor: 10 }, { hold_id: second!, amount_minor: 0 }], close(10))).to.equal(false);
    expect(await everything()).to.deep.equal(before);
    expect(await finishInOneStatement(one(), c.id, 'n1', [{ hold_id: first!, amount_minor: 10 }, { hold_id: second!, amount_minor: 10 }], close(20))).to.equal(false);
    expect(await everything()).to.deep.equal(before);
  });

  it('leaves to the transaction an expired chunk', async () => {
    const expired = await call('n1');
    t.clock.advance(60_000 + 10 * 60_000 + 1); // the chunk's minute and its grace
    const before = await everything();
    expect(await finishInOneStatement(one(), expired.id, 'n1', [{ hold_id: expired.m.meter.chunks[0]!.hold_id, amount_minor: 10 }], close(10))).to.equal(false);
    expect(await everything()).to.deep.equal(before);
    const tx0 = db.stats.transactions;
    await expired.m.finish(30, ENDED(30));
    expect(db.stats.transactions).to.equal(tx0 + 1);
    expect((await callRecordById(t.billing.read().q, expired.id))?.status).to.equal('completed');
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  /** A card with `value_minor` and an active call on it owned by node n1, metered at 10 ¢ a minute in 60 s blocks. */
  async function poorCall(value_minor: number) {
    const card = await t.billing.issueCard({ value_minor, currency: 'USD' });
    const id = `n1-call-${++n}`;
    await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: '+15550001', access_number: '8000', channel_id: null, started_at_ms: ctx.now_ms, ivr_node: 'n1', destination: '12125551234' }));
    return { m: new CallMetering(t.billing, id, card.card_id, 'USD', { ...SELL, initial_increment_s: 6, increment_s: 6 }, 60, 'n1'), id, card_id: card.card_id };
  }

  it('shrinks a chunk to what the card affords in three statements (declined, its money read, the shrunk chunk), and makes the limit final in two, with no transaction', async () => {
    const c = await poorCall(13); // [0,6) 1 ¢, then a minute (10 ¢), then 2 ¢ buy [66,78)
    expect((await c.m.extend()).ok).to.equal(true);
    expect((await c.m.extend()).ok).to.equal(true);
    let before = count();
    expect(await c.m.extend()).to.deep.equal({ ok: true, value: true });
    expect(count(), 'declined whole, its money read, then the shrunk chunk').to.deep.equal({ statements: before.statements + 3, transactions: before.transactions });
    expect(c.m.meter.chunks.map((x) => [x.from_s, x.to_s, x.amount_minor])).to.deep.equal([[0, 6, 1], [6, 66, 10], [66, 78, 2]]);
    expect(c.m.meter.limitIsFinal, 'a shrunk chunk makes the limit final').to.equal(true);
    expect(c.m.availableAfterLastMove).to.equal(0);

    const d = await poorCall(11); // [0,6) 1 ¢, a minute 10 ¢, then nothing
    expect((await d.m.extend()).ok).to.equal(true);
    expect((await d.m.extend()).ok).to.equal(true);
    before = count();
    expect(await d.m.extend()).to.deep.equal({ ok: true, value: false });
    expect(count(), 'declined, its money read: nothing affordable').to.deep.equal({ statements: before.statements + 2, transactions: before.transactions });
    expect(d.m.meter.limitIsFinal).to.equal(true);
    expect(d.m.limit_s).to.equal(66);
    expect(await d.m.finish(66, ENDED(66))).to.deep.equal({ billed_s: 66, cost_minor: 11, captured_minor: 11 });
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('reserves a chunk sized from the card\'s money only while the card has exactly that money; declines, writing nothing, for a call taken over or a card locked elsewhere', async () => {
    const c = await poorCall(13);
    expect((await c.m.extend()).ok).to.equal(true); // 1 ¢ held: 12 ¢ available
    const chunk = (amount: number) => callChunkHold(c.id, amount, 'USD', 60_000, { from_s: 6, to_s: 66 });
    const before = await everything();
    const told = await reserveOrReadInOneStatement(one().q, one().now_ms, c.card_id, chunk(20), 'n1');
    expect(told && 'declined' in told ? { balance: told.declined.balance_minor, pending: told.declined.pending_minor } : told, 'more than available: the money told').to.deep.equal({ balance: 13, pending: 1 });
    expect(await reserveOrReadInOneStatement(one().q, one().now_ms, c.card_id, chunk(5), 'n1', 11), 'sized from 11 ¢, but 12 ¢ are there').to.have.property('declined');
    expect(await reserveOrReadInOneStatement(one().q, one().now_ms, c.card_id, chunk(5), 'n2'), 'another node').to.equal(null);
    expect(await everything()).to.deep.equal(before);
    const other = new pg.Client({ connectionString: t.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM cards WHERE id = $1 FOR UPDATE', [c.card_id]);
      const rolledBack = db.groupCommit!.stats.rolled_back;
      expect(await reserveOrReadInOneStatement(one().q, one().now_ms, c.card_id, chunk(20), 'n1'), 'the card locked: its money is not told').to.equal(null);
      expect(db.groupCommit!.stats.rolled_back).to.equal(rolledBack);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await everything()).to.deep.equal(before);
    const held = await reserveOrReadInOneStatement(one().q, one().now_ms, c.card_id, chunk(5), 'n1', 12);
    expect(held && 'hold' in held ? held.card : held).to.deep.include({ balance_minor: 13, pending_minor: 6 });
  });

  it('under contention (calls sharing cards with each other and with merchants, on both group-commit connections): never an overdraft, every call billed exactly its captured chunks', async () => {
    const merchant = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Shop'))).merchant.id;
    const cards = await Promise.all([0, 1, 2].map(() => t.billing.issueCard({ value_minor: 37, currency: 'USD' })));
    const r: Rate = { ...SELL, initial_increment_s: 6, increment_s: 6 }; // 1 ¢ per 6 s
    const calls: Array<{ m: CallMetering; id: string; card_id: number }> = [];
    for (let i = 0; i < 9; i++) {
      const card = cards[i % 3]!;
      const id = `n1-race-${i}`;
      await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: ctx.now_ms, ivr_node: 'n1' }));
      calls.push({ m: new CallMetering(t.billing, id, card.card_id, 'USD', r, 12, 'n1'), id, card_id: card.card_id });
    }
    const tx0 = db.stats.transactions;
    /** The IVR's loop for one call, a second at a time: reserve ahead, capture what elapsed, hang up at `hangup_s` or the limit. */
    const meter = async (c: (typeof calls)[number], hangup_s: number) => {
      await c.m.extend();
      let s = 0;
      while (s < hangup_s && s < c.m.limit_s) {
        s = Math.min(hangup_s, c.m.limit_s, s + 3);
        if (c.m.limit_s - s <= 6) await c.m.extend();
        await c.m.captureElapsed(s);
      }
      return c.m.finish(s, ENDED(s));
    };
    const spend = async (card: (typeof cards)[number]) => {
      let charged = 0;
      for (let i = 0; i < 6; i++) {
        const a = await t.billing.tx((ctx) => authorize(ctx, merchant, { card_number: card.number, pin: card.pin, amount: 2, currency: 'USD', capture: true }));
        if (a.ok) charged += 2;
      }
      return charged;
    };
    const [bills, charges] = await Promise.all([
      Promise.all(calls.map((c, i) => meter(c, 20 + 9 * i))),
      Promise.all(cards.map(spend)),
    ]);
    expect(db.stats.transactions - tx0, 'some moves took the transaction: the contention was real').to.be.greaterThan(0);
    const q = t.billing.read().q;
    for (const [i, c] of calls.entries()) {
      const rec = await callRecordById(q, c.id);
      const held = await q.one<{ n: number }>("SELECT COALESCE(SUM(captured_minor), 0) AS n FROM holds WHERE call_id = ? AND status = 'captured'", [c.id]);
      expect(rec?.status).to.equal('completed');
      expect(Number(rec?.captured_minor), `call ${i}: the record says what its holds captured`).to.equal(Number(held?.n));
      expect(Number(rec?.captured_minor)).to.equal(bills[i]!.captured_minor);
      expect(bills[i]!.captured_minor, `call ${i}: billed its cost`).to.equal(bills[i]!.cost_minor);
    }
    for (const [k, card] of cards.entries()) {
      const row = await q.one<{ balance_minor: number; pending_minor: number }>('SELECT balance_minor, pending_minor FROM cards WHERE id = ?', [card.card_id]);
      const spent = calls.filter((c) => c.card_id === card.card_id).reduce((n, c) => n + bills[calls.indexOf(c)]!.captured_minor, 0) + charges[k]!;
      expect({ balance: Number(row?.balance_minor), pending: Number(row?.pending_minor) }).to.deep.equal({ balance: 37 - spent, pending: 0 });
      expect(37 - spent).to.be.at.least(0);
    }
    expect((await verifyLedger(q)).violations).to.deep.equal([]);
  });
});

async function expectRejection(p: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(String((err as Error).message)).to.match(message);
    return;
  }
  expect.fail('expected a rejection');
}
