/**
 * bench/ledger — holds + captures per second through the billing core (placeHold / captureHoldNow:
 * the IVR's metering statements, one group-committed statement each on PostgreSQL; the general
 * transaction on SQLite), beside the raw-driver ceiling measured in the same run on the same schema
 * (on PostgreSQL the best of four forms of the same transactions, bench/ledger/raw-ceiling.ts,
 * interleaved with the core in slices).
 *   npx tsx bench/ledger/run.ts [--pairs 20000] [--cards 1000] [--db sqlite,pg] [--concurrency 8] [--durability none,sqlite-full,full] [--slices 20]
 * On SQLite, each durability mode (billing/store/sql/sqlite.ts) with 1 writer in a loop and with
 * `--concurrency` writers (group commit), against the raw driver at synchronous NORMAL and FULL.
 */
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { captureHoldNow, placeHold } from '../../billing/holds/hold-moves';
import { merchantPayable } from '../../billing/ledger/accounts';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';
import type { SqliteDurability } from '../../billing/store/sql/sqlite';
import { arg, freshDatabase } from '../support/databases';
import { corePairs } from './core-pairs';
import { rawPgForms, rawSqlitePairs } from './raw-ceiling';
import type { PairRunner } from './raw-ceiling';

const pairs = Number(arg('pairs', '20000'));
const cardCount = Number(arg('cards', '1000'));
const concurrency = Number(arg('concurrency', '8'));
const kinds = arg('db', 'sqlite,pg').split(',') as Array<'sqlite' | 'pg'>;
const durabilities = arg('durability', 'none,sqlite-full,full').split(',') as SqliteDurability[];
const slices = Number(arg('slices', '20'));

async function seed(billing: Billing): Promise<{ cardIds: number[]; merchant: number }> {
  const cardIds: number[] = [];
  for (let i = 0; i < cardCount; i++) cardIds.push((await billing.issueCard({ value_minor: 10_000_000, currency: 'USD' })).card_id);
  const m = await billing.tx((ctx) => createMerchant(ctx, 'bench'));
  if (!m.ok) throw m.error;
  return { cardIds, merchant: m.value.merchant.id };
}

const MOVES = { placeHold, captureHoldNow, merchantPayable };

async function oursPairs(billing: Billing, cardIds: number[], merchant: number, workers: number): Promise<number> {
  return (pairs * 2) / (await corePairs('billing core', MOVES, billing, merchant, workers).run(cardIds, pairs));
}

/**
 * PostgreSQL: the core and every raw form take turns, `slices` times, each running pairs/slices
 * pairs per turn (the order rotated each slice), so all of them see the same minutes of the
 * machine — whose speed drifts by tens of per cent from one minute to the next. Each one's figure
 * is its pairs over its summed time; the ceiling is the best form's.
 */
async function interleaved(runners: PairRunner[], cardIds: number[]): Promise<{ opsPerSecond: Map<string, number>; sliceRatios: number[] }> {
  const per = Math.max(1, Math.floor(pairs / slices));
  for (const r of runners) await r.run(cardIds, Math.max(1, Math.floor(per / 4))); // warm-up (statement caches, JIT)
  const seconds = new Map(runners.map((r) => [r.name, 0]));
  const sliceRatios: number[] = [];
  for (let k = 0; k < slices; k++) {
    const took = new Map<string, number>();
    for (let j = 0; j < runners.length; j++) {
      const r = runners[(j + k) % runners.length]!;
      took.set(r.name, await r.run(cardIds, per));
    }
    for (const [name, t] of took) seconds.set(name, seconds.get(name)! + t);
    const [core, ...raw] = runners.map((r) => took.get(r.name)!);
    sliceRatios.push(Math.min(...raw) / core!);
  }
  return { opsPerSecond: new Map([...seconds].map(([name, t]) => [name, (slices * per * 2) / t])), sliceRatios: sliceRatios.sort((a, b) => a - b) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const SECRET = 'bench-secret-0123456789abcdef0123456789';
console.log(`bench/ledger: ${pairs.toLocaleString('en-US')} hold+capture pairs over ${cardCount} cards (ops/s counts holds and captures)`);
for (const kind of kinds) {
  const fresh = await freshDatabase(kind);
  try {
    if (kind === 'pg') {
      const seeded = openDatabase(fresh.url, { poolSize: concurrency });
      const { cardIds, merchant } = await seed(new Billing(seeded, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY));
      await seeded.close();
      const db = openDatabase(fresh.url, { poolSize: concurrency });
      const runners = [corePairs('billing core', MOVES, new Billing(db, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY), merchant, concurrency), ...(await rawPgForms(fresh.url, concurrency, merchant))];
      try {
        const { opsPerSecond, sliceRatios } = await interleaved(runners, cardIds);
        const [ours, ...raw] = runners.map((r) => [r.name, opsPerSecond.get(r.name)!] as const);
        const [bestForm, best] = raw.reduce((a, b) => (b[1] > a[1] ? b : a));
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        console.log(`PostgreSQL (${concurrency} concurrent workers), ${slices} slices of ${fmt(Math.floor(pairs / slices))} pairs: the core and each raw form in turn (order rotated)`
          + `\n  billing core : ${fmt(ours![1])} ops/s (one group-committed statement per hold and per capture)\n  raw driver   : ${fmt(best)} ops/s (${bestForm})`
          + `\n    raw forms  : ${raw.map(([n, v]) => `${n} ${fmt(v)}`).join(', ')} ops/s`
          + `\n  ratio        : ${pct(ours![1] / best)} of the raw ceiling; slice by slice, against that slice's best form: median ${pct(sliceRatios[Math.floor(sliceRatios.length / 2)]!)}, ${pct(sliceRatios[0]!)}–${pct(sliceRatios[sliceRatios.length - 1]!)}`);
      } finally {
        for (const r of runners) await r.close();
      }
      continue;
    }
    // SQLite: seeded once (without fsyncs), then every mode on the same file, in this run.
    const seedDb = openDatabase(fresh.url, { sqlite: { durability: 'none' } });
    const { cardIds, merchant } = await seed(new Billing(seedDb, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY));
    await seedDb.close();
    const file = fresh.url.slice('sqlite:'.length);
    const rawNormal = rawSqlitePairs(file, cardIds, merchant, pairs, 'NORMAL');
    const rawFull = rawSqlitePairs(file, cardIds, merchant, pairs, 'FULL');
    console.log('SQLite (better-sqlite3, WAL) — durability: none = synchronous NORMAL (before #13), sqlite-full = synchronous FULL, full = fsync after COMMIT off the event loop (the default)');
    console.log(`  raw driver, one transaction after another: ${fmt(rawNormal)} ops/s at NORMAL, ${fmt(rawFull)} ops/s at FULL`);
    const seen = new Map<string, number>();
    for (const workers of [1, concurrency]) {
      for (const durability of durabilities) {
        const db = openDatabase(fresh.url, { sqlite: { durability } });
        const billing = new Billing(db, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY);
        await oursPairs(billing, cardIds, merchant, workers); // warm-up (statement caches, JIT)
        const ours = await oursPairs(billing, cardIds, merchant, workers);
        await db.close();
        seen.set(`${durability}/${workers}`, ours);
        const raw = durability === 'none' ? rawNormal : rawFull;
        console.log(`  ${durability.padEnd(11)} ${String(workers).padStart(2)} writer(s): ${fmt(ours).padStart(7)} ops/s = ${((ours / raw) * 100).toFixed(1)}% of the raw driver at ${durability === 'none' ? 'NORMAL' : 'FULL'}`);
      }
    }
    for (const workers of [1, concurrency]) {
      const none = seen.get(`none/${workers}`);
      for (const d of durabilities.filter((x) => x !== 'none')) {
        const v = seen.get(`${d}/${workers}`);
        if (none && v) console.log(`  cost of ${d} vs none, ${workers} writer(s): ${((v / none - 1) * 100).toFixed(1)}%`);
      }
    }
  } finally {
    await fresh.drop();
  }
}
