/**
 * bench/routing — least-cost route rankings per second and p99 per ranking, with 5 carriers ×
 * 300,000 buy prefixes and a sell deck, through `billing.routing.rank` (the in-memory index of the
 * active deck versions; SQLite reads the routing epoch before every ranking, PostgreSQL LISTENs to
 * it), beside ceilings measured in the same run: the raw driver doing the bare indexed lookup one
 * SQL-per-ranking design cannot beat, and the raw driver doing just the epoch read. Also the
 * strict 'check' freshness on PostgreSQL and the SQL-per-ranking lookup, for comparison.
 *   npx tsx bench/routing/run.ts [--prefixes 300000] [--carriers 5] [--rankings 100000] [--concurrency 16 (pg; sqlite 1)] [--db sqlite,pg]
 */
import os from 'node:os';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { IndexedRouteLookup } from '../../billing/routing/indexed-route-lookup';
import { Routing } from '../../billing/routing/routing';
import { SqlRouteLookup } from '../../billing/routing/sql-route-lookup';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';
import { arg, freshDatabase } from '../support/databases';
import type { Figures } from './raw-ceiling';
import { figures, rawPg, rawSqlite } from './raw-ceiling';

const prefixCount = Number(arg('prefixes', '300000'));
const carrierCount = Number(arg('carriers', '5'));
const rankings = Number(arg('rankings', '100000'));
/** In flight at once. SQLite answers synchronously, so concurrency there only queues: 1 unless told. */
const concurrencyArg = process.argv.includes('--concurrency') ? Number(arg('concurrency', '16')) : undefined;
const kinds = arg('db', 'sqlite,pg').split(',') as Array<'sqlite' | 'pg'>;
const NUMBER_LENGTH = 12;

/** Deterministic pseudo-random numbers (the same decks and numbers every run). */
let seed = 20_260_101;
const rnd = (n: number): number => {
  // mulberry32: 32-bit integer arithmetic only, full period
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) % n;
};

/** A pool of distinct prefixes, 3 to 8 digits, like real decks (country code + area/mobile ranges). */
function prefixPool(size: number): string[] {
  const seen = new Set<string>();
  while (seen.size < size) {
    let p = String(1 + rnd(9));
    const len = 3 + rnd(6);
    while (p.length < len) p += String(rnd(10));
    seen.add(p);
  }
  return [...seen];
}

const rate = (prefix: string, scaled: number): Rate => ({
  prefix, destination: `Destination ${prefix.slice(0, 3)}`, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 6, increment_s: 6, min_charge_minor: 0, blocked: false,
});

async function rank(routing: Routing, numbers: string[], count: number, workers: number): Promise<Figures & { candidates: number }> {
  const lat = new Float64Array(count);
  let next = 0;
  let candidates = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const s = process.hrtime.bigint();
      const r = await routing.rank(numbers[i % numbers.length] as string);
      lat[i] = Number(process.hrtime.bigint() - s);
      if (r.ok) candidates += r.candidates.length;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: workers }, worker));
  return { ...figures(lat, Number(process.hrtime.bigint() - t0)), candidates: candidates / count };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (label: string, f: Figures) => `  ${label.padEnd(72)} ${fmt(f.per_s).padStart(9)} rankings/s   p50 ${f.p50_ms.toFixed(3)} ms   p99 ${f.p99_ms.toFixed(3)} ms`;

console.log(`bench/routing: ${carrierCount} carriers × ${fmt(prefixCount)} buy prefixes + a sell deck; ${fmt(rankings)} rankings of ${NUMBER_LENGTH}-digit numbers (${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)})`);
const pool = prefixPool(Math.round(prefixCount * 1.25));
const sellPrefixes = [...Array.from({ length: 90 }, (_, i) => String(10 + i)), ...pool.slice(0, Math.round(prefixCount / 3))];
const numbers = Array.from({ length: 20_000 }, () => {
  let n = pool[rnd(pool.length)] as string;
  while (n.length < NUMBER_LENGTH) n += String(rnd(10));
  return n;
});

for (const kind of kinds) {
  const concurrency = concurrencyArg ?? (kind === 'sqlite' ? 1 : 16);
  const fresh = await freshDatabase(kind);
  try {
    const db = openDatabase(fresh.url, { poolSize: concurrency });
    const billing = new Billing(db, new SecretHasher('bench-secret-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY);
    const t0 = Date.now();
    const sell = await importDeck(db, 'default', 'USD', sellPrefixes.map((p) => rate(p, 200_000 + rnd(200_000))), Date.now());
    const deckIds = [sell.id];
    for (let c = 0; c < carrierCount; c++) {
      const carrier = await billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name: `carrier-${c + 1}`, sip_uri: `sip:gw${c + 1}.example.net:5060`, priority: c % 2 }));
      const mine = new Set<string>();
      while (mine.size < prefixCount) mine.add(pool[rnd(pool.length)] as string);
      const deck = await importCarrierDeck(db, carrier.id, 'USD', [...mine].map((p) => rate(p, 10_000 + rnd(200_000))), Date.now());
      deckIds.push(deck.id);
    }
    const rows = sellPrefixes.length + carrierCount * prefixCount;
    const label = kind === 'sqlite' ? 'SQLite (better-sqlite3, WAL)' : `PostgreSQL (pool of ${concurrency})`;
    console.log(`${label}: ${fmt(rows)} deck rows imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const t1 = Date.now();
    await billing.routing.warm();
    console.log(`  in-memory index of the ${carrierCount + 1} active decks built in ${((Date.now() - t1) / 1000).toFixed(1)} s (first ranking after start or after a deck switch), heap ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MiB`);
    // billing.routing: on SQLite the epoch is read before every ranking; on PostgreSQL it is LISTENed
    // to (no round trip while the listen connection is up). Rankings are CPU-bound then: 1 in flight.
    const inFlight = kind === 'sqlite' ? concurrency : 1;
    await rank(billing.routing, numbers, Math.min(rankings, 20_000), inFlight); // warm-up (JIT, caches)
    const ours = await rank(billing.routing, numbers, rankings, inFlight);
    const results: Array<[string, Figures]> = [[`billing.routing.rank${kind === 'pg' ? ", freshness 'notify'" : ''}, ${inFlight} in flight`, ours]];
    if (kind === 'pg') {
      const strict = new Routing(db, new IndexedRouteLookup(db, { freshness: 'check' }));
      await strict.warm();
      await rank(strict, numbers, Math.min(rankings, 20_000), concurrency);
      results.push([`same, freshness 'check' (epoch read per batch), ${concurrency} in flight`, await rank(strict, numbers, rankings, concurrency)]);
    }
    const sqlRouting = new Routing(db, new SqlRouteLookup(db));
    const sqlCount = Math.max(1000, Math.round(rankings / 10));
    await rank(sqlRouting, numbers, Math.min(sqlCount, 2000), concurrency);
    results.push([`SqlRouteLookup (one SQL statement per ranking), ${concurrency} in flight`, await rank(sqlRouting, numbers, sqlCount, concurrency)]);
    await db.close();

    const file = fresh.url.slice('sqlite:'.length);
    const lookup = kind === 'sqlite' ? rawSqlite(file, 'lookup', deckIds, numbers, rankings) : await rawPg(fresh.url, 'lookup', deckIds, numbers, rankings, concurrency);
    const check = kind === 'sqlite' ? rawSqlite(file, 'check', deckIds, numbers, rankings) : await rawPg(fresh.url, 'check', deckIds, numbers, rankings, concurrency);
    const raw = kind === 'sqlite' ? 'raw better-sqlite3' : `raw pg, ${concurrency} connections`;
    results.push([`ceiling: ${raw}, bare indexed lookup (prefix IN …)`, lookup], [`floor of a check: ${raw}, bare epoch read`, check]);
    console.log([
      ...results.map(([l, f]) => line(l, f)),
      `  ratio: ${((ours.per_s / lookup.per_s) * 100).toFixed(0)}% of the raw indexed lookup, ${((ours.per_s / check.per_s) * 100).toFixed(0)}% of the raw epoch read; ` +
        `goal ≥ 20,000 rankings/s and p99 ≤ 1 ms: ${ours.per_s >= 20_000 && ours.p99_ms <= 1 ? 'met' : 'NOT met'} (${ours.candidates.toFixed(2)} candidates a ranking)`,
    ].join('\n'));
  } finally {
    await fresh.drop();
  }
}
