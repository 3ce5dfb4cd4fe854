import { expect } from 'chai';
import pg from 'pg';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier, updateCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { IndexedRouteLookup } from '../../billing/routing/indexed-route-lookup';
import { Routing } from '../../billing/routing/routing';
import type { Database, Sql, SqlValue } from '../../billing/store/sql/database';
import { createTestDatabase, KINDS, requireKind } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/**
 * How the in-memory routing index stays exact across processes, counted in database reads: freshness
 * 'check' reads the routing epoch once per batch of rankings asked together; freshness 'notify' on
 * PostgreSQL reads nothing while its LISTEN connection is up, sees changes made by another
 * connection once notified, and falls back to reading when that connection is lost (then listens again).
 */
class CountingDatabase implements Database {
  reads = 0;
  readonly dialect: Database['dialect'];
  readonly forUpdate: string;
  listen?: Database['listen'];
  constructor(private readonly inner: Database) {
    this.dialect = inner.dialect;
    this.forUpdate = inner.forUpdate;
    if (inner.listen) this.listen = inner.listen.bind(inner);
  }
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> { this.reads++; return this.inner.all<T>(sql, params); }
  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> { this.reads++; return this.inner.one<T>(sql, params); }
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> { return this.inner.run(sql, params); }
  tx<T>(fn: (q: Sql) => Promise<T>): Promise<T> { return this.inner.tx(fn); }
  close(): Promise<void> { return this.inner.close(); }
}

const rate = (prefix: string, scaled: number): Rate => ({ prefix, destination: `d${prefix}`, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false });
const UK = '442071234567';

async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const kind of KINDS) {
  describe(`routing index freshness across processes (${kind})`, function () {
    this.timeout(60_000);
    let tdb: TestDatabase;
    let inner: Database;
    let other: Database; // another process's connection
    let carrier_id: number;
    before(async function () {
      await requireKind(this, kind);
      tdb = await createTestDatabase(kind);
      inner = tdb.open();
      other = tdb.open();
      await importDeck(other, 'default', 'USD', [rate('44', 50_000)], 0);
      carrier_id = (await other.tx((q) => insertCarrier(q, 0, { ...CARRIER_DEFAULTS, name: 'alpha', sip_uri: 'sip:alpha.example.net' }))).id;
      await importCarrierDeck(other, carrier_id, 'USD', [rate('44', 10_000)], 0);
    });
    after(async () => {
      await inner?.close();
      await other?.close();
      await tdb?.drop();
    });

    const buyOf = async (routing: Routing) => {
      const r = await routing.rank(UK);
      return r.ok ? r.candidates[0]?.buy.rate_per_minute_scaled : r.reason;
    };

    it("'check': one epoch read per ranking asked alone, one per batch asked together, and a change by another connection seen at once", async () => {
      const db = new CountingDatabase(inner);
      const routing = new Routing(db, new IndexedRouteLookup(db, { freshness: 'check' }));
      expect(await buyOf(routing)).to.equal(10_000);
      db.reads = 0;
      for (let i = 0; i < 20; i++) await routing.rank(UK);
      expect(db.reads).to.equal(20);
      db.reads = 0;
      await Promise.all(Array.from({ length: 50 }, () => routing.rank(UK)));
      expect(db.reads).to.be.at.most(2);
      await importCarrierDeck(other, carrier_id, 'USD', [rate('44', 20_000)], 0);
      expect(await buyOf(routing)).to.equal(20_000);
      await other.tx((q) => updateCarrier(q, 0, carrier_id, { enabled: false }));
      expect(await buyOf(routing)).to.equal('no_carrier');
      await other.tx((q) => updateCarrier(q, 0, carrier_id, { enabled: true }));
    });

    it("'notify': no read at all while listening (PostgreSQL), changes seen once notified, reads again while the LISTEN connection is lost", async function () {
      const db = new CountingDatabase(inner);
      const routing = new Routing(db, new IndexedRouteLookup(db));
      await routing.warm();
      if (kind === 'sqlite') {
        // No LISTEN on SQLite: 'notify' is 'check'.
        db.reads = 0;
        for (let i = 0; i < 20; i++) await routing.rank(UK);
        expect(db.reads).to.equal(20);
        return;
      }
      const quiet = async () => { db.reads = 0; await routing.rank(UK); return db.reads === 0; };
      await eventually(quiet, 'the LISTEN connection is up');
      db.reads = 0;
      for (let i = 0; i < 100; i++) await routing.rank(UK);
      expect(db.reads, 'reads while listening').to.equal(0);

      await importCarrierDeck(other, carrier_id, 'USD', [rate('44', 30_000)], 0);
      await eventually(async () => (await buyOf(routing)) === 30_000, 'the new buy deck is notified');
      await eventually(quiet, 'reads stop again');

      // The LISTEN connection dies (server restart, network): rankings read the epoch themselves meanwhile.
      const admin = new pg.Client({ connectionString: tdb.url });
      await admin.connect();
      try {
        const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN routing_epoch%'");
        expect(killed.rowCount).to.be.greaterThan(0);
      } finally {
        await admin.end();
      }
      await eventually(async () => { db.reads = 0; await routing.rank(UK); return db.reads > 0; }, 'rankings fall back to reading');
      await other.tx((q) => updateCarrier(q, 0, carrier_id, { enabled: false }));
      expect(await buyOf(routing), 'seen at once while reading').to.equal('no_carrier');
      await eventually(quiet, 'listening again');
      await other.tx((q) => updateCarrier(q, 0, carrier_id, { enabled: true }));
      await eventually(async () => (await buyOf(routing)) === 30_000, 'the change is notified on the new connection');
    });
  });
}
