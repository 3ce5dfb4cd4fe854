/**
 * bench/store/reads — where reads made outside a transaction should go on SQLite: their own
 * read-only connection (the product's choice) or queued as transactions behind the writes (the
 * alternative; what `:memory:` does). Measured in the same run, each mode:
 * - beside a steady write load in this process (8 writers doing hold + capture, group commit), and
 * - while another connection holds the write lock in slices (20 ms of every 25 ms), as a bulk load
 *   from the CLI does.
 *   npx tsx bench/store/reads.ts [--seconds 5]
 * Prints reads/s, read p50/p99 and writes/s. The ceiling is the same reads with no writer at all.
 */
import { Worker } from 'node:worker_threads';
import { Billing } from '../../billing/billing';
import { cardById } from '../../billing/cards/card-rows';
import { SecretHasher } from '../../billing/cards/secrets';
import { captureHold, createHold } from '../../billing/holds/hold-engine';
import { merchantPayable } from '../../billing/ledger/accounts';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { SqliteDatabase } from '../../billing/store/sql/sqlite';
import { arg, freshDatabase } from '../support/databases';

const SECONDS = Number(arg('seconds', '5'));
const SECRET = 'bench-secret-0123456789abcdef0123456789';
const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;

/** Another connection holding the write lock 20 ms of every 25 ms, like the slices of a bulk load. */
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let stop = false;
parentPort.on('message', () => { stop = true; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  while (!stop) {
    db.exec('BEGIN IMMEDIATE');
    const until = Date.now() + 20;
    while (Date.now() < until) { /* holding the lock, as a slice inserting cards does */ }
    db.exec('COMMIT');
    await sleep(5);
  }
  db.close();
  parentPort.postMessage('stopped');
})();
`;

const fresh = await freshDatabase('sqlite');
const file = fresh.url.slice('sqlite:'.length);
const seedDb = new SqliteDatabase(file, { durability: 'none' });
const seedBilling = new Billing(seedDb, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY);
const cardIds: number[] = [];
for (let i = 0; i < 200; i++) cardIds.push((await seedBilling.issueCard({ value_minor: 100_000_000, currency: 'USD' })).card_id);
const m = await seedBilling.tx((ctx) => createMerchant(ctx, 'bench'));
if (!m.ok) throw m.error;
const merchant = m.value.merchant.id;
await seedDb.close();

async function measure(reads: 'own-connection' | 'queued', load: 'none' | 'writers' | 'bulk-lock'): Promise<string> {
  const db = new SqliteDatabase(file, { reads });
  const billing = new Billing(db, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY);
  let stop = false;
  let writes = 0;
  const writer = async () => {
    for (let i = 0; !stop; i++) {
      const card_id = cardIds[i % cardIds.length] as number;
      const hold = await billing.tx(async (ctx) => createHold(ctx, (await cardById(ctx.q, card_id, true))!, { kind: 'merchant', merchant_id: merchant, amount_minor: 1, currency: 'USD', ttl_ms: 60_000 }));
      if (!hold.ok) throw hold.error;
      const cap = await billing.tx((ctx) => captureHold(ctx, hold.value.id, undefined, { account: merchantPayable(merchant), entry_kind: 'capture' }));
      if (!cap.ok) throw cap.error;
      writes += 2;
    }
  };
  const lat: number[] = [];
  const reader = async () => {
    for (let i = 0; !stop; i++) {
      const t0 = performance.now();
      await cardById(db, cardIds[i % cardIds.length] as number);
      lat.push(performance.now() - t0);
      // A read on its own connection never leaves the microtask queue: let timers and I/O run.
      if (i % 64 === 63) await new Promise((r) => setImmediate(r));
    }
  };
  const holder = load === 'bulk-lock'
    ? new Worker(HOLDER, { eval: true, workerData: { file, driver: (await import('node:module')).createRequire(import.meta.url).resolve('better-sqlite3') } })
    : undefined;
  const work = [reader(), ...(load === 'writers' ? Array.from({ length: 8 }, writer) : [])];
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop = true;
  await Promise.all(work);
  if (holder) {
    await new Promise((r) => { holder.once('message', r); holder.postMessage('stop'); });
    await holder.terminate();
  }
  await db.close();
  lat.sort((a, b) => a - b);
  return `  reads ${reads.padEnd(14)} load ${load.padEnd(9)}: ${Math.round(lat.length / SECONDS).toLocaleString('en-US').padStart(7)} reads/s  p50 ${pct(lat, 50).toFixed(3)} ms  p99 ${pct(lat, 99).toFixed(3)} ms  max ${(lat[lat.length - 1] ?? NaN).toFixed(1)} ms${load === 'writers' ? `  writes ${Math.round(writes / SECONDS).toLocaleString('en-US')}/s` : ''}`;
}

console.log(`bench/store/reads: one reader in a loop for ${SECONDS} s per line (SQLite, WAL)`);
try {
  for (const load of ['none', 'writers', 'bulk-lock'] as const) {
    for (const reads of ['own-connection', 'queued'] as const) console.log(await measure(reads, load));
  }
} finally {
  await fresh.drop();
}
