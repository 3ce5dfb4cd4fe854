import { expect } from 'chai';
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
});
