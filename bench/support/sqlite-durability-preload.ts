/**
 * Benchmarks only: preloaded into a `prepaid serve` child (`node --import tsx --import <this file> …`)
 * with BENCH_SQLITE_DURABILITY=none | sqlite-full, to measure the embedded database's durability
 * modes (billing/store/sql/sqlite.ts SqliteDurability) through the real server:
 * - none: `synchronous = NORMAL` and no fsync after COMMIT (what the product ran before issue #13);
 * - sqlite-full: `synchronous = FULL`, SQLite fsyncing inside COMMIT on the event loop.
 * Without the preload the server runs its default (`full`: fsync after COMMIT off the event loop).
 * It says on stderr what it changed, so the bench checks it took effect. Never use it in a deployment.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { WalSync } from '../../billing/store/sql/sqlite-wal-sync';

const mode = process.env.BENCH_SQLITE_DURABILITY;
if (mode !== 'none' && mode !== 'sqlite-full') throw new Error('BENCH_SQLITE_DURABILITY must be none or sqlite-full');
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const pragma = Database.prototype.pragma;
Database.prototype.pragma = function (this: BetterSqlite3.Database, source: string, options?: BetterSqlite3.PragmaOptions) {
  if (/^\s*synchronous\s*=/i.test(source)) {
    const forced = mode === 'none' ? 'synchronous = NORMAL' : 'synchronous = FULL';
    process.stderr.write(`${JSON.stringify({ message: `bench: durability ${mode}`, was: source, now: forced })}\n`);
    return pragma.call(this, forced, options);
  }
  return pragma.call(this, source, options);
} as typeof pragma;
// The driver's own fsync after COMMIT is what `full` adds; neither mode here does it.
WalSync.prototype.sync = async () => undefined;
