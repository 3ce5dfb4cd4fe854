import { expect } from 'chai';
import type { SqliteDatabase } from '../../billing/store/sql/sqlite';
import { createTestDatabase } from '../support/databases';

/** The SQLite driver's group commit: transactions that queue up share one COMMIT but stay isolated. */
describe('SQLite group commit', () => {
  it('runs queued transactions in order, rolls back only the one that throws, and answers after the commit', async () => {
    const tdb = await createTestDatabase('sqlite');
    const db = tdb.open();
    try {
      await db.run("INSERT INTO merchants (name, status, created_at_ms) VALUES ('m', 'active', 0)");
      const order: number[] = [];
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => db.tx(async (q) => {
        await q.run('INSERT INTO auth_throttles (key, failures, window_start_ms) VALUES (?, ?, 0)', [`k${i}`, i]);
        await new Promise((r) => setImmediate(r)); // other transactions queue up meanwhile
        order.push(i);
        if (i % 5 === 3) throw new Error(`boom ${i}`);
        return i;
      })));
      expect(order).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      expect(results.map((r) => r.status)).to.deep.equal(Array.from({ length: 20 }, (_, i) => (i % 5 === 3 ? 'rejected' : 'fulfilled')));
      const keys = (await db.all<{ key: string }>('SELECT key FROM auth_throttles ORDER BY failures')).map((r) => r.key);
      expect(keys).to.deep.equal(Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 5 !== 3).map((i) => `k${i}`));
      // A later transaction sees everything committed before it.
      const n = await db.tx(async (q) => (await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM auth_throttles'))?.n);
      expect(n).to.equal(16);
    } finally {
      await db.close();
      await tdb.drop();
    }
  });

  it('groups transactions that arrive on separate event-loop callbacks of one turn (as HTTP requests do)', async () => {
    const tdb = await createTestDatabase('sqlite');
    const db = tdb.open() as SqliteDatabase;
    try {
      const before = { ...db.stats };
      const seen: number[] = [];
      await new Promise<void>((resolve) => {
        let done = 0;
        for (let i = 0; i < 10; i++) {
          // Each on its own macrotask callback, like request handlers running in one poll phase.
          setImmediate(() => {
            void db.tx(async (q) => {
              const row = await q.one<{ n: number }>('SELECT COUNT(*) AS n FROM auth_throttles');
              seen.push(Number(row?.n));
              await q.run('INSERT INTO auth_throttles (key, failures, window_start_ms) VALUES (?, 0, 0)', [`t${i}`]);
            }).then(() => { if (++done === 10) resolve(); });
          });
        }
      });
      expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // serial order is kept
      expect(db.stats.transactions - before.transactions).to.equal(10);
      expect(db.stats.batches - before.batches).to.equal(1); // one COMMIT for all ten
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});
