import BetterSqlite3 from 'better-sqlite3';
import { expect } from 'chai';
import { CallMetering } from '../../billing/calls/call-metering';
import { insertCallRecord } from '../../billing/calls/call-records';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { DurabilityError, SqliteDatabase } from '../../billing/store/sql/sqlite';
import type { SqliteOptions } from '../../billing/store/sql/sqlite';
import { LockTimeoutError, TxTimeoutError } from '../../billing/store/sql/sqlite-scope';
import { openDatabase } from '../../billing/store/sql/open';
import { createTestBilling, createTestDatabase } from '../support/databases';
import type { TestDatabase } from '../support/databases';
import { injectFaults, within } from '../support/sqlite-faults';

/**
 * The edges of the SQLite driver's shared commit, on a real SQLite file with failures injected into
 * the real driver (better-sqlite3's statements wrapped): a failed COMMIT, a failed ROLLBACK, a
 * callback that never settles, reads racing an open batch, and the write lock held by another process.
 */
const fileOf = (tdb: TestDatabase) => tdb.url.slice('sqlite:'.length);
const insert = (key: string) => ['INSERT INTO auth_throttles (key, failures, window_start_ms) VALUES (?, 0, 0)', [key]] as const;
const keys = async (db: { all: SqliteDatabase['all'] }) => (await db.all<{ key: string }>('SELECT key FROM auth_throttles ORDER BY key')).map((r) => r.key);

describe('SQLite shared commit: failure edges', function () {
  this.timeout(30_000);
  let tdb: TestDatabase;
  let db: SqliteDatabase;
  const open = (options: SqliteOptions = {}) => { db = new SqliteDatabase(fileOf(tdb), options); return db; };
  beforeEach(async () => { tdb = await createTestDatabase('sqlite'); });
  afterEach(async () => {
    await db?.close();
    await tdb.drop();
  });

  it('durability: no caller hears "done" before the WAL is fsynced; the event loop runs meanwhile', async () => {
    const product = openDatabase(tdb.url) as SqliteDatabase;
    try {
      const wal = product.walSync;
      expect(wal, 'the embedded database syncs its WAL after every COMMIT').to.not.equal(undefined);
      const sync = wal!.sync.bind(wal);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => { release = r; });
      let syncing = 0;
      wal!.sync = async () => { syncing++; await gate; return sync(); };
      let answered = false;
      const txs = [product.tx((q) => q.run(...insert('a'))), product.tx((q) => q.run(...insert('b')))];
      void Promise.all(txs).then(() => { answered = true; });
      await new Promise((r) => setTimeout(r, 100)); // timers fire: the event loop is free during the fsync
      expect(syncing, 'the fsync started').to.equal(1);
      expect(answered, 'answered before the fsync').to.equal(false);
      // A transaction arriving meanwhile waits for the next COMMIT: it never reads a write not yet on disk.
      const later = product.tx((q) => q.one<{ n: number }>('SELECT COUNT(*) AS n FROM auth_throttles'));
      await new Promise((r) => setTimeout(r, 20));
      expect(syncing).to.equal(1);
      release();
      await Promise.all(txs);
      expect(Number((await later)?.n)).to.equal(2);
      expect(wal!.syncs).to.equal(2); // one per COMMIT
      expect(product.raw.pragma('journal_mode', { simple: true })).to.equal('wal');
      // The savepoint of each transaction keeps its undo images in memory, not in a temporary file per batch.
      expect(product.raw.pragma('temp_store', { simple: true })).to.equal(2);
    } finally {
      await product.close();
    }
    open();
  });

  it('durability: a failed fsync fails its batch and then every operation (fail-stop until restart)', async () => {
    open();
    const wal = db.walSync!;
    wal.sync = async () => { throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }); };
    const r = await Promise.allSettled([db.tx((q) => q.run(...insert('a'))), db.tx((q) => q.run(...insert('b')))]);
    expect(r.map((x) => (x as PromiseRejectedResult).reason)).to.satisfy((e: unknown[]) => e.every((x) => x instanceof DurabilityError));
    const after = await Promise.allSettled([db.tx((q) => q.run(...insert('c'))), db.one('SELECT 1 AS one')]);
    expect(after.map((x) => x.status)).to.deep.equal(['rejected', 'rejected']);
  });

  it("durability 'sqlite-full' runs SQLite's own synchronous = FULL", async () => {
    open({ durability: 'sqlite-full' });
    expect(db.raw.pragma('synchronous', { simple: true })).to.equal(2); // 0 OFF, 1 NORMAL, 2 FULL
    expect(db.walSync).to.equal(undefined);
    await db.tx((q) => q.run(...insert('a')));
    expect(await keys(db)).to.deep.equal(['a']);
  });

  it('a failed COMMIT leaves the call meter as it was: no chunk without a hold behind it', async () => {
    const t = await createTestBilling('sqlite');
    try {
      const faults = injectFaults(t.billing.db as SqliteDatabase);
      const card = await t.billing.issueCard({ value_minor: 10_000, currency: 'USD' });
      await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id: 'call_c1', card_id: card.card_id, caller_number: '+15550001', access_number: '8000', channel_id: null, started_at_ms: ctx.now_ms }));
      const rate: Rate = { prefix: '1', destination: 'US', rate_per_minute_scaled: 6 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false };
      const m = new CallMetering(t.billing, 'call_c1', card.card_id, 'USD', rate, 60);
      expect((await m.extend()).ok).to.equal(true);
      expect(m.limit_s).to.equal(60);

      faults.fail('COMMIT');
      let err: unknown;
      await m.extend().catch((e: unknown) => { err = e; });
      expect(String(err)).to.contain('injected failure of COMMIT');
      expect(m.limit_s, 'the limit did not grow').to.equal(60);
      expect(m.meter.chunks).to.have.length(1);
      expect(m.meter.limitIsFinal).to.equal(false);

      expect((await m.extend()).ok).to.equal(true);
      expect(m.limit_s).to.equal(120);
      const holds = await t.billing.db.all<{ id: string; status: string }>("SELECT id, status FROM holds WHERE call_id = 'call_c1' ORDER BY created_at_ms, id");
      expect(holds.map((h) => h.status)).to.deep.equal(['pending', 'pending']);
      expect(m.meter.chunks.map((c) => c.hold_id).sort()).to.deep.equal(holds.map((h) => h.id).sort());
    } finally {
      await t.close();
    }
    open();
  });

  it('a failed ROLLBACK still answers every caller, and the next batch starts clean', async () => {
    open();
    const faults = injectFaults(db);
    faults.fail('COMMIT');
    faults.fail('ROLLBACK');
    const batch = ['a', 'b', 'c', 'd'].map((k) => within(db.tx((q) => q.run(...insert(k))), 3_000, `transaction ${k}`));
    const settled = await Promise.allSettled(batch);
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(settled.map((s) => String((s as PromiseRejectedResult).reason))).to.satisfy((m: string[]) => m.every((x) => x.includes('COMMIT')));
    expect(faults.count('ROLLBACK')).to.equal(1);
    // The writes of the failed batch are never committed, and writing goes on.
    await within(db.tx((q) => q.run(...insert('after'))), 3_000, 'the next transaction');
    expect(await keys(db)).to.deep.equal(['after']);
    expect(db.stats.reopened).to.equal(0);
  });

  it('a ROLLBACK that keeps failing: the connection is replaced, nothing of the failed batch survives', async () => {
    open();
    const faults = injectFaults(db);
    faults.fail('COMMIT');
    faults.fail('ROLLBACK', 2);
    const settled = await Promise.allSettled(['a', 'b'].map((k) => within(db.tx((q) => q.run(...insert(k))), 3_000, `transaction ${k}`)));
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'rejected']);
    await within(db.tx((q) => q.run(...insert('after'))), 3_000, 'the next transaction');
    expect(db.stats.reopened).to.equal(1);
    expect(await keys(db)).to.deep.equal(['after']);
  });

  it('a failed ROLLBACK TO (one callback threw) fails its whole batch, answered, nothing committed', async () => {
    open();
    const faults = injectFaults(db);
    faults.fail('ROLLBACK TO tx');
    const settled = await Promise.allSettled([
      within(db.tx((q) => q.run(...insert('a'))), 3_000, 'a'),
      within(db.tx(async (q) => { await q.run(...insert('b')); throw new Error('b fails'); }), 3_000, 'b'),
      within(db.tx((q) => q.run(...insert('c'))), 3_000, 'c'),
    ]);
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    await db.tx((q) => q.run(...insert('after')));
    expect(await keys(db)).to.deep.equal(['after']);
  });

  it('a callback that never settles fails alone after the bound; its neighbours commit and writing goes on', async () => {
    open({ tx_timeout_ms: 200 });
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => { release = r; });
    let lateWrite: Promise<unknown> | undefined;
    const stuck = db.tx(async (q) => {
      await q.run(...insert('stuck-1'));
      await released; // e.g. an HTTP call inside a transaction that never answers
      lateWrite = q.run(...insert('stuck-2'));
      await lateWrite;
    });
    const a = db.tx((q) => q.run(...insert('a')));
    const b = db.tx((q) => q.run(...insert('b')));
    const [s, ra, rb] = await Promise.allSettled([within(stuck, 3_000, 'stuck'), within(a, 3_000, 'a'), within(b, 3_000, 'b')]);
    expect(s.status).to.equal('rejected');
    expect((s as PromiseRejectedResult).reason).to.be.instanceOf(TxTimeoutError);
    expect([ra.status, rb.status]).to.deep.equal(['fulfilled', 'fulfilled']);
    await within(db.tx((q) => q.run(...insert('later'))), 3_000, 'a later transaction');
    // The abandoned callback wakes up: its next statement is refused, not run in someone else's transaction.
    release();
    await new Promise((r) => setTimeout(r, 20));
    let lateError: unknown;
    await lateWrite?.catch((e: unknown) => { lateError = e; });
    expect(String(lateError)).to.contain('after the end of its transaction');
    await db.tx((q) => q.run(...insert('z')));
    expect(await keys(db)).to.deep.equal(['a', 'b', 'later', 'z']);
    expect(db.stats.timeouts).to.equal(1);
  });

  it('reads outside a transaction never see the writes of a batch that has not committed', async () => {
    open();
    let inserted: () => void = () => undefined;
    const wrote = new Promise<void>((r) => { inserted = r; });
    let commit: () => void = () => undefined;
    const mayCommit = new Promise<void>((r) => { commit = r; });
    const tx = db.tx(async (q) => {
      await q.run(...insert('uncommitted'));
      inserted();
      await mayCommit; // the batch stays open across event-loop turns
    });
    await wrote;
    expect(await db.one("SELECT key FROM auth_throttles WHERE key = 'uncommitted'")).to.equal(undefined);
    expect(await keys(db)).to.deep.equal([]);
    commit();
    await tx;
    expect(await keys(db)).to.deep.equal(['uncommitted']);
  });

  it('while another process holds the write lock the batch waits on timers (the event loop runs) and then commits', async () => {
    open();
    const other = new BetterSqlite3(fileOf(tdb));
    try {
      other.exec('BEGIN IMMEDIATE');
      let ticks = 0;
      const ticker = setInterval(() => { ticks++; }, 10);
      const txs = ['a', 'b', 'c'].map((k) => db.tx((q) => q.run(...insert(k))));
      await new Promise((r) => setTimeout(r, 300));
      other.exec('COMMIT');
      const settled = await Promise.allSettled(txs);
      clearInterval(ticker);
      expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(ticks, 'timers fired while the batch waited for the lock').to.be.greaterThan(10);
      expect(db.stats.lock_retries).to.be.greaterThan(0);
      expect(await keys(db)).to.deep.equal(['a', 'b', 'c']);
    } finally {
      other.close();
    }
  });

  it('the wait for the write lock is bounded: past lock_timeout_ms the batch fails, and the next one succeeds', async () => {
    open({ lock_timeout_ms: 150 });
    const other = new BetterSqlite3(fileOf(tdb));
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const r = await Promise.allSettled([within(db.tx((q) => q.run(...insert('a'))), 3_000, 'a')]);
      expect(Date.now() - started).to.be.lessThan(2_000);
      expect((r[0] as PromiseRejectedResult).reason).to.be.instanceOf(LockTimeoutError);
      other.exec('COMMIT');
      await db.tx((q) => q.run(...insert('b')));
      expect(await keys(db)).to.deep.equal(['b']);
    } finally {
      other.close();
    }
  });
});
