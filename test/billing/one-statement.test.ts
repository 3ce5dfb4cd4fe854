import { expect } from 'chai';
import pg from 'pg';
import { setCardStatus } from '../../billing/cards/card-admin';
import { authenticateInOneRead } from '../../billing/cards/card-auth-one-statement';
import { cardById } from '../../billing/cards/card-rows';
import { callChunkHold, settleCallChunkInOneStatement } from '../../billing/calls/call-holds';
import { insertCallRecord } from '../../billing/calls/call-records';
import { holdById } from '../../billing/holds/hold-rows';
import { captureInOneStatement, reserveOrReadInOneStatement, voidInOneStatement } from '../../billing/holds/one-statement';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorizationView } from '../../billing/settlement/authorization-view';
import { authorizeInOneStatement, captureInOneStatementForMerchant, voidInOneStatementForMerchant } from '../../billing/settlement/settlement-one-statement';
import type { AuthorizeInput } from '../../billing/settlement/settlement';
import type { TxContext } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import type { PostgresDatabase } from '../../billing/store/sql/postgres';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { DECLINED, snapshot } from '../support/declined-authorizations';
import type { World } from '../support/declined-authorizations';

/**
 * The one-statement money moves (PostgreSQL): one statement when nothing stands in their way, and
 * otherwise NOTHING written and null, so the general path decides (the states it must decline:
 * test/support/declined-authorizations.ts).
 */
const KEY = { scope: 'merchant:1', key: 'k-1', hash: 'h' };

/** A chunk reservation's hold and card money, when it reserved (not when it declined or left it to the general path). */
const whenReserved = <T extends object>(r: T | null): Extract<T, { hold: unknown }> | null => (r && 'hold' in r ? r as Extract<T, { hold: unknown }> : null);

describe('one-statement money moves (pg)', function () {
  this.timeout(60_000);
  let t: TestBilling;
  let w: World;
  before(async function () { await requireKind(this, 'pg'); });
  beforeEach(async () => {
    t = await createTestBilling('pg', { merchant_hold_ttl_ms: 60_000 });
    const card = await t.billing.issueCard({ value_minor: 5000, currency: 'USD' });
    const m = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Shop')));
    const o = unwrap(await t.billing.tx((ctx) => createMerchant(ctx, 'Other')));
    w = { t, merchant: m.merchant.id, other: o.merchant.id, number: card.number, pin: card.pin, card_id: card.card_id };
  });
  afterEach(async () => t?.close());

  const one = (): TxContext => {
    const ctx = t.billing.oneStatement();
    if (!ctx) throw new Error('PostgreSQL has one-statement moves');
    return ctx;
  };
  const authorizeNow = (input: Partial<AuthorizeInput> = {}, key: typeof KEY | null = null) =>
    authorizeInOneStatement(one(), w.merchant, { card_number: w.number, pin: w.pin, amount: 100, currency: 'USD', ...input }, { merchant_key: `merchant:${w.merchant}`, throttle_key: 'ip:192.0.2.7' }, key);

  for (const row of DECLINED) {
    it(`declines, writing nothing: ${row.name}`, async () => {
      if (row.setup) await t.billing.tx((ctx) => row.setup!(ctx, w));
      if (row.key) unwrap(await t.billing.tx(async (ctx) => { await ctx.q.run("INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES (?, ?, 'other', 201, '{}', 0)", [KEY.scope, KEY.key]); return { ok: true as const, value: null }; }));
      const before = await snapshot(t);
      expect(await authorizeNow(row.input, row.key ? KEY : null)).to.equal(null);
      expect(await snapshot(t)).to.deep.equal(before);
    });
  }

  it('authorizes in ONE statement and no transaction of its own, answering what the general path would render', async () => {
    const db = t.billing.db as PostgresDatabase;
    const before = { ...db.stats };
    const held = await authorizeNow({ amount: 1200, reference: 'order-7', description: 'two coffees' }, KEY);
    const charged = await authorizeNow({ amount: 300, capture: true });
    expect(db.stats.statements - before.statements).to.equal(2);
    expect(db.stats.transactions - before.transactions).to.equal(0);
    for (const a of [held, charged]) {
      expect(a?.status).to.equal(201);
      const id = (a?.body as { id: string }).id;
      const hold = await holdById(t.billing.read().q, id);
      const card = await cardById(t.billing.read().q, w.card_id);
      // The card has moved on since the first answer; compare the card part with what it was then.
      const view = authorizationView(hold!, card!);
      expect({ ...(a?.body as object), card: null }).to.deep.equal({ ...view, card: null });
    }
    expect((held?.body as { card: unknown }).card).to.deep.equal({ last4: w.number.slice(-4), balance: 5000, available: 3800 });
    expect((charged?.body as { card: unknown }).card).to.deep.equal({ last4: w.number.slice(-4), balance: 4700, available: 3500 });
    // The answer is stored under the key, in the same statement.
    const stored = await t.billing.read().q.one<{ status_code: number; response_json: string }>('SELECT status_code, response_json FROM idempotency_keys WHERE key = ?', [KEY.key]);
    expect(stored?.status_code).to.equal(201);
    expect(JSON.parse(stored!.response_json)).to.deep.equal(held?.body);
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('captures and voids a merchant\'s own authorization in one statement, and declines what the general path must decide', async () => {
    const a = (await authorizeNow({ amount: 2000 }))!.body as { id: string };
    const b = (await authorizeNow({ amount: 1000 }))!.body as { id: string };
    const before = await snapshot(t);
    expect(await captureInOneStatementForMerchant(one(), w.other, a.id, 500, null), 'another merchant\'s').to.equal(null);
    expect(await captureInOneStatementForMerchant(one(), w.merchant, a.id, 2001, null), 'more than held').to.equal(null);
    expect(await voidInOneStatementForMerchant(one(), w.other, a.id, null), 'void, another merchant\'s').to.equal(null);
    expect(await snapshot(t)).to.deep.equal(before);

    const captured = await captureInOneStatementForMerchant(one(), w.merchant, a.id, 500, KEY);
    expect(captured?.body).to.deep.include({ id: a.id, status: 'captured', amount: 2000, captured_amount: 500 });
    expect((captured?.body as { card: unknown }).card).to.deep.equal({ last4: w.number.slice(-4), balance: 4500, available: 3500 });
    const voided = await voidInOneStatementForMerchant(one(), w.merchant, b.id, null);
    expect(voided?.body).to.deep.include({ id: b.id, status: 'voided', captured_amount: 0 });
    expect((voided?.body as { card: unknown }).card).to.deep.equal({ last4: w.number.slice(-4), balance: 4500, available: 4500 });
    const after = await snapshot(t);
    expect(await captureInOneStatementForMerchant(one(), w.merchant, a.id, 100, null), 'already captured').to.equal(null);
    expect(await voidInOneStatementForMerchant(one(), w.merchant, b.id, null), 'already voided').to.equal(null);
    expect(await snapshot(t)).to.deep.equal(after);
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('captures all of a hold when no amount is given', async () => {
    const a = (await authorizeNow({ amount: 700 }))!.body as { id: string };
    const captured = await captureInOneStatementForMerchant(one(), w.merchant, a.id, undefined, null);
    expect(captured?.body).to.deep.include({ status: 'captured', amount: 700, captured_amount: 700 });
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('reserves, captures and voids call chunks in one statement, declining expired, settled and unaffordable ones', async () => {
    const ctx = one();
    const chunk = (amount: number) => callChunkHold('call-1', amount, 'USD', 30_000, { from_s: 0, to_s: 60 });
    // Each move answers with the card's money just after it (what the IVR projects the call's end from);
    // a declined reservation, with the money it could not reserve from.
    const money = (m: { balance_minor: number; pending_minor: number } | null | undefined) => m && { balance: m.balance_minor, pending: m.pending_minor };
    const declined = await reserveOrReadInOneStatement(ctx.q, ctx.now_ms, w.card_id, chunk(5001), undefined);
    expect(money(declined && 'declined' in declined ? declined.declined : null), 'more than available').to.deep.equal({ balance: 5000, pending: 0 });
    const first = whenReserved(await reserveOrReadInOneStatement(ctx.q, ctx.now_ms, w.card_id, chunk(600), undefined));
    const second = whenReserved(await reserveOrReadInOneStatement(ctx.q, ctx.now_ms, w.card_id, chunk(400), undefined));
    expect(first?.hold.status).to.equal('pending');
    expect(money(first?.card)).to.deep.equal({ balance: 5000, pending: 600 });
    expect(money(second?.card)).to.deep.equal({ balance: 5000, pending: 1000 });
    expect(money(await settleCallChunkInOneStatement(one(), first!.hold.id, 250))).to.deep.equal({ balance: 4750, pending: 400 });
    expect(await settleCallChunkInOneStatement(one(), first!.hold.id, 250), 'already captured').to.equal(null);
    expect(money(await settleCallChunkInOneStatement(one(), second!.hold.id, 0))).to.deep.equal({ balance: 4750, pending: 0 });
    const third = whenReserved(await reserveOrReadInOneStatement(ctx.q, ctx.now_ms, w.card_id, chunk(100), undefined));
    t.clock.advance(30_001);
    const before = await snapshot(t);
    expect(await captureInOneStatement(one().q, one().now_ms, third!.hold.id, 100, { account: 'telephony:revenue', entry_kind: 'call_charge' }, { kind: 'any' }), 'expired').to.equal(null);
    expect(await voidInOneStatement(one().q, one().now_ms, first!.hold.id, { kind: 'any' }), 'not pending').to.equal(null);
    await t.billing.tx((ctx2) => setCardStatus(ctx2, w.card_id, 'suspended'));
    const card0 = (await cardById(t.billing.read().q, w.card_id))!;
    const suspended = await snapshot(t);
    expect(await reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, chunk(100), undefined), 'suspended card').to.deep.equal({ declined: { last4: card0.last4, balance_minor: 4750, pending_minor: 100 } });
    expect(await snapshot(t)).to.deep.equal(suspended);
    expect(before.holds).to.equal(suspended.holds);
    const card = await cardById(t.billing.read().q, w.card_id);
    expect({ balance: card?.balance_minor, pending: card?.pending_minor }).to.deep.equal({ balance: 4750, pending: 100 });
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('fences call chunks: only the IVR node owning the active call moves them, and a locked call record makes them decline', async () => {
    await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id: 'n1-call', card_id: w.card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: ctx.now_ms, ivr_node: 'n1' }));
    const chunk = callChunkHold('n1-call', 100, 'USD', 30_000, { from_s: 0, to_s: 60 });
    const before = await snapshot(t);
    expect(await reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, chunk, 'n2'), 'another node').to.equal(null);
    expect(await snapshot(t)).to.deep.equal(before);
    const held = whenReserved(await reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, chunk, 'n1'));
    expect(held?.hold.status).to.equal('pending');
    expect(await settleCallChunkInOneStatement(one(), held!.hold.id, 40, 'n2'), 'captured by another node').to.equal(null);
    const other = new pg.Client({ connectionString: t.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("SELECT id FROM call_records WHERE id = 'n1-call' FOR UPDATE");
      expect(await settleCallChunkInOneStatement(one(), held!.hold.id, 40, 'n1'), 'record locked (a takeover under way)').to.equal(null);
      expect(await reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, chunk, 'n1'), 'record locked').to.equal(null);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await settleCallChunkInOneStatement(one(), held!.hold.id, 40, 'n1')).not.to.equal(null);
    await t.billing.tx((ctx) => ctx.q.run("UPDATE call_records SET status = 'completed' WHERE id = 'n1-call'"));
    expect(await reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, chunk, 'n1'), 'the call has ended').to.equal(null);
    expect((await verifyLedger(t.billing.read().q)).violations).to.deep.equal([]);
  });

  it('never waits on a row another transaction holds: it declines at once, and its batch commits', async () => {
    const a = (await authorizeNow({ amount: 500 }))!.body as { id: string };
    const gc = (t.billing.db as PostgresDatabase).groupCommit!;
    const other = new pg.Client({ connectionString: t.tdb.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT id FROM cards WHERE id = $1 FOR UPDATE', [w.card_id]);
      const before = { ...gc.stats };
      const snap = await snapshot(t);
      const [authorized, captured, voided, reserved] = await Promise.all([
        authorizeNow({ amount: 100 }),
        captureInOneStatementForMerchant(one(), w.merchant, a.id, 100, null),
        voidInOneStatementForMerchant(one(), w.merchant, a.id, null),
        reserveOrReadInOneStatement(one().q, one().now_ms, w.card_id, callChunkHold('call-9', 100, 'USD', 30_000), undefined),
      ]);
      expect([authorized, captured, voided, reserved]).to.deep.equal([null, null, null, null]);
      // Declined by SKIP LOCKED in a batch that committed — not by a lock_timeout rolling it back.
      expect(gc.stats.rolled_back).to.equal(before.rolled_back);
      expect(gc.stats.batches).to.be.greaterThan(before.batches);
      expect(await snapshot(t)).to.deep.equal(snap);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect((await authorizeNow({ amount: 100 }))?.status, 'once the lock is gone').to.equal(201);
  });

  it('group commit: moves that queue up share one transaction, each answered after it', async () => {
    const db = t.billing.db as PostgresDatabase;
    const gc = db.groupCommit!;
    const before = { ...gc.stats };
    const answers = await Promise.all(Array.from({ length: 20 }, () => authorizeNow({ amount: 10, capture: true })));
    expect(answers.every((a) => a?.status === 201)).to.equal(true);
    expect(gc.stats.statements - before.statements).to.equal(20);
    expect(gc.stats.batches - before.batches).to.be.lessThan(20);
    const card = await cardById(t.billing.read().q, w.card_id);
    expect(card?.balance_minor).to.equal(5000 - 200);
  });

  it('group commit: a connection the server drops while it is idle is replaced; the next statements go through', async () => {
    const { PostgresDatabase: Pg } = await import('../../billing/store/sql/postgres');
    const db = new Pg(t.tdb.url, { groupCommit: { connections: 1 } });
    const admin = new pg.Client({ connectionString: t.tdb.url });
    await admin.connect();
    try {
      const pid = (await db.grouped.one<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid;
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 50 && (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50)); // the client hears of it
      const after = await Promise.all([1, 2, 3].map((x) => db.grouped.one<{ x: number }>('SELECT ?::int AS x', [x])));
      expect(after.map((r) => r?.x)).to.deep.equal([1, 2, 3]);
      expect((await db.grouped.one<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid).to.not.equal(pid);
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it('group commit: a statement that fails rolls its whole batch back; the others are told so and change nothing', async () => {
    const gc = (t.billing.db as PostgresDatabase).groupCommit!;
    const insert = (key: string) => gc.run("INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES ('s', ?, 'h', 200, '{}', 0)", [key]);
    await insert('taken');
    const results = await Promise.allSettled([insert('a'), insert('taken'), insert('b')]);
    expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as { code?: string }).code) : 'ok'))).to.deep.equal(['batch_rolled_back', '23505', 'batch_rolled_back']);
    const keys = await t.billing.read().q.all<{ key: string }>("SELECT key FROM idempotency_keys WHERE scope = 's' ORDER BY key");
    expect(keys.map((k) => k.key)).to.deep.equal(['taken']);
    // The connection is fine for the next batch.
    await Promise.all([insert('c'), insert('d')]);
    expect(gc.stats.rolled_back).to.be.at.least(1);
  });

  it('group commit: a statement whose first Parse PostgreSQL skipped after an error is prepared again next time', async () => {
    const { PostgresDatabase: Pg } = await import('../../billing/store/sql/postgres');
    const db = new Pg(t.tdb.url, { groupCommit: { connections: 1 } });
    try {
      const gc = db.groupCommit!;
      const insert = (key: string) => gc.run("INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES ('p', ?, 'h', 200, '{}', 0)", [key]);
      // A text this connection has never prepared: in the batch below it is parsed after the failing insert.
      const unseen = () => gc.one<{ n: number }>('SELECT ?::int + 40 AS n /* first parsed after an error */', [1]);
      await insert('taken');
      const results = await Promise.allSettled([insert('taken'), unseen()]);
      expect(results.map((r) => (r.status === 'rejected' ? String((r.reason as { code?: string }).code) : 'ok'))).to.deep.equal(['23505', 'batch_rolled_back']);
      expect((await unseen())?.n, 'parsed again, not bound to a statement that does not exist').to.equal(41);
    } finally {
      await db.close();
    }
  });

  it('group commit: later batches read each statement\'s answers by the columns its first Describe on that connection gave', async () => {
    const { PostgresDatabase: Pg } = await import('../../billing/store/sql/postgres');
    const db = new Pg(t.tdb.url, { groupCommit: { connections: 1 } });
    try {
      const gc = db.groupCommit!;
      // Three statements with different columns (one with none), batched together again and again on one connection.
      const wide = (n: number) => gc.one('SELECT ?::bigint * 1000000000 AS big, ?::text AS label, ?::int > 1 AS many, NULL::text AS nothing', [n, `n${n}`, n]);
      const none = (n: number) => gc.run("INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response_json, created_at_ms) VALUES ('cols', ?, 'h', 200, '{}', 0)", [`k${n}`]);
      const narrow = (n: number) => gc.all<{ k: string }>("SELECT key AS k FROM idempotency_keys WHERE scope = 'cols' AND key <= ? ORDER BY key", [`k${n}`]);
      for (let n = 1; n <= 3; n++) {
        const [w, r, a] = await Promise.all([wide(n), none(n), narrow(n)]);
        expect(w, `batch ${n}`).to.deep.equal({ big: n * 1_000_000_000, label: `n${n}`, many: n > 1, nothing: null });
        expect(r.changes, `batch ${n}`).to.equal(1);
        expect(a.map((x) => x.k), `batch ${n}: the insert before it is seen`).to.deep.equal(Array.from({ length: n }, (_, i) => `k${i + 1}`));
      }
      expect(gc.stats.batches, 'the three statements shared each batch').to.equal(3);
    } finally {
      await db.close();
    }
  });
});

for (const kind of KINDS) {
  describe(`one-statement moves where they do not apply (${kind})`, () => {
    it(kind === 'sqlite' ? 'SQLite has none: every move takes the general path' : 'PostgreSQL without group commit sends each alone', async function () {
      await requireKind(this, kind);
      const tb = await createTestBilling(kind);
      try {
        if (kind === 'sqlite') {
          expect(tb.billing.oneStatement()).to.equal(null);
          expect(tb.billing.db.grouped).to.equal(undefined);
        } else {
          const { PostgresDatabase: Pg } = await import('../../billing/store/sql/postgres');
          const db = new Pg(tb.tdb.url, { groupCommit: false });
          try {
            expect(db.groupCommit).to.equal(undefined);
            expect((await db.grouped.one<{ x: number }>('SELECT 1 AS x'))?.x).to.equal(1);
          } finally { await db.close(); }
        }
      } finally { await tb.close(); }
    });
  });
}

for (const kind of KINDS) {
  describe(`card authentication in one read (${kind})`, () => {
    it('answers the right number and PIN with nothing to count or clear, and declines (writing nothing) everything else', async function () {
      await requireKind(this, kind);
      const tb = await createTestBilling(kind);
      try {
        const card = await tb.billing.issueCard({ value_minor: 5000, currency: 'USD' });
        const source = { merchant_key: 'merchant:1', throttle_key: 'ip:192.0.2.7' };
        const read = () => authenticateInOneRead(tb.billing.read(), card.number, card.pin, source);
        expect((await read())?.id).to.equal(card.card_id);
        expect((await read()) as object).to.not.have.property('pin_hash');
        const before = await snapshot(tb);
        expect(await authenticateInOneRead(tb.billing.read(), card.number, '0000', source), 'wrong PIN').to.equal(null);
        expect(await authenticateInOneRead(tb.billing.read(), '4111111111111111', card.pin), 'unknown number').to.equal(null);
        expect(await snapshot(tb), 'a declined read counts nothing').to.deep.equal(before);
        const id = card.card_id;
        const states: Array<[string, string, string]> = [
          ['a failure counted', `UPDATE cards SET pin_failures = 1 WHERE id = ${id}`, `UPDATE cards SET pin_failures = 0 WHERE id = ${id}`],
          ['a lockout counted', `UPDATE cards SET pin_lockouts = 1 WHERE id = ${id}`, `UPDATE cards SET pin_lockouts = 0 WHERE id = ${id}`],
          ['a lock until an operator unlocks it', `UPDATE cards SET pin_blocked_at_ms = 1 WHERE id = ${id}`, `UPDATE cards SET pin_blocked_at_ms = NULL WHERE id = ${id}`],
          ['a lock, even one run out', `UPDATE cards SET locked_until_ms = 1 WHERE id = ${id}`, `UPDATE cards SET locked_until_ms = NULL WHERE id = ${id}`],
          ['a throttled merchant', "INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES ('merchant:1', 0, 0, 99999999999999)", "DELETE FROM auth_throttles"],
          ['a throttled source', "INSERT INTO auth_throttles (key, failures, window_start_ms, locked_until_ms) VALUES ('ip:192.0.2.7', 0, 0, 99999999999999)", "DELETE FROM auth_throttles"],
        ];
        for (const [name, apply, revert] of states) {
          await tb.billing.tx((ctx) => ctx.q.run(apply));
          expect(await read(), name).to.equal(null);
          await tb.billing.tx((ctx) => ctx.q.run(revert));
          expect((await read())?.id, `${name}, undone`).to.equal(id);
        }
      } finally { await tb.close(); }
    });
  });
}
