import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';

/**
 * The ceiling: raw better-sqlite3 inserting `count` bare rows shaped like `cards` (same columns,
 * same UNIQUE indexes on a random 43-character hash and the serial, same pragmas), one transaction,
 * prepared 500-row INSERTs. Rows are built before the clock starts: no CSPRNG digits, no HMAC,
 * no CSV, no ledger postings — only the inserts.
 */
export function rawCardInsertSeconds(file: string, count: number): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -262144');
  db.exec(`CREATE TABLE cards_raw (id INTEGER PRIMARY KEY, number_hash TEXT NOT NULL UNIQUE, pin_hash TEXT NOT NULL, last4 TEXT NOT NULL,
    serial TEXT NOT NULL UNIQUE, batch_id INTEGER, currency TEXT NOT NULL, status TEXT NOT NULL, expiry_kind TEXT NOT NULL, expiry_days INTEGER,
    expires_at_ms INTEGER, activated_at_ms INTEGER, created_at_ms INTEGER NOT NULL, balance_minor INTEGER NOT NULL, pending_minor INTEGER NOT NULL, pin_failures INTEGER NOT NULL);
    CREATE INDEX cards_raw_batch ON cards_raw (batch_id);`);
  const PER = 500;
  const stmt = db.prepare(`INSERT INTO cards_raw VALUES ${Array(PER).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)').join(', ')}`);
  const chunks: Array<Array<string | number | null>> = [];
  const pool = randomBytes(64 * count);
  for (let start = 0; start < count; start += PER) {
    const params: Array<string | number | null> = [];
    for (let i = start; i < start + PER; i++) {
      const h = pool.subarray(i * 64, i * 64 + 32).toString('base64url');
      const p = pool.subarray(i * 64 + 32, i * 64 + 64).toString('base64url');
      params.push(i + 1, h, p, '1234', `B1-${String(i + 1).padStart(7, '0')}`, 1, 'USD', 'inactive', 'none', null, null, null, 1, 500);
    }
    chunks.push(params);
  }
  const t0 = process.hrtime.bigint();
  db.transaction(() => { for (const c of chunks) stmt.run(...c); })();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return seconds;
}
