import fs from 'node:fs';
import { expect } from 'chai';
import { SqliteDatabase } from '../../billing/store/sql/sqlite';
import type { CheckpointOptions } from '../../billing/store/sql/sqlite-checkpointer';
import { createTestDatabase } from '../support/databases';
import type { TestDatabase } from '../support/databases';

/**
 * The WAL under writes that never pause (billing/store/sql/sqlite-checkpointer.ts): PASSIVE
 * checkpoints alone copy the frames back but never let the log start over, so it grows with every
 * byte written. The writer pauses between two batches when asked, and the log restarts.
 * A WAL-file property, so SQLite only (PostgreSQL recycles its WAL itself).
 */
describe('SQLite WAL under sustained writes', function () {
  this.timeout(60_000);
  let tdb: TestDatabase;
  let db: SqliteDatabase | undefined;
  beforeEach(async () => { tdb = await createTestDatabase('sqlite'); });
  afterEach(async () => {
    await db?.close();
    await tdb.drop();
  });

  const ROW = 'x'.repeat(1_500);
  /**
   * `writers` loops each committing `each` inserts back to back: the queue never empties, so the
   * writer never pauses on its own. `walMaxBytes`: the WAL file's largest size over the second half
   * of the writes (the first restart needs the checkpoint worker up and running).
   */
  async function sustain(d: SqliteDatabase, writers: number, each: number): Promise<{ walMaxBytes: number; written: number }> {
    const file = `${tdb.url.slice('sqlite:'.length)}-wal`;
    let walMaxBytes = 0;
    let written = 0;
    const before = d.stats.batches;
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < each; i++) {
        await d.tx((q) => q.run('INSERT INTO auth_throttles (key, failures, window_start_ms) VALUES (?, 0, 0)', [`${w}:${i}:${ROW}`]));
        written += ROW.length;
        if (w === 0 && i >= each / 2) walMaxBytes = Math.max(walMaxBytes, fs.statSync(file).size);
      }
    }));
    expect(d.stats.batches - before, 'the transactions shared commits (the writer had a queue throughout)').to.be.lessThan((writers * each) / 4);
    return { walMaxBytes, written };
  }

  it('the writer lets the WAL start over: its file stays bounded while far more is written, and nothing is lost', async () => {
    const checkpoint: CheckpointOptions = { interval_ms: 10, restart_frames: 128, restart_every_ms: 20 };
    db = new SqliteDatabase(tdb.url.slice('sqlite:'.length), { checkpoint });
    const { walMaxBytes, written } = await sustain(db, 40, 600);
    expect(written).to.equal(40 * 600 * ROW.length); // 36 MB of rows, more again in index pages
    expect(db.stats.wal_restarts, 'restarts let happen').to.be.greaterThan(2);
    // Between two restarts the WAL holds what one cycle wrote (4–6 MB of the 36 here: a restart is
    // asked for at most every 20 ms, and the writer pauses only between two batches; a descheduled
    // worker makes a cycle longer); without restarts, all of it.
    expect(walMaxBytes, 'the WAL file never held everything written').to.be.lessThan(written / 2);
    const n = await db.one<{ n: number }>('SELECT COUNT(*) AS n FROM auth_throttles');
    expect(Number(n?.n)).to.equal(40 * 600);
  });

  it('with no restart asked for, the same load grows the WAL with everything written (why the pause exists)', async () => {
    db = new SqliteDatabase(tdb.url.slice('sqlite:'.length), { checkpoint: { interval_ms: 10, restart_frames: Number.MAX_SAFE_INTEGER, restart_every_ms: 20 } });
    const { walMaxBytes, written } = await sustain(db, 40, 600);
    expect(db.stats.wal_restarts).to.equal(0);
    // Every row went through a WAL frame and nothing restarted the log, so the file holds more than
    // all the rows; the bound is the line the test above stays under.
    expect(walMaxBytes).to.be.greaterThan(written / 2);
  });
});
