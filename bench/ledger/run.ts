/**
 * bench/ledger — holds + captures per second through the billing core (placeHold / captureHoldNow:
 * one group-committed statement each on PostgreSQL, the general transaction on SQLite), beside the
 * raw-driver ceiling measured in the same run on the same schema (raw-ceiling.ts: on PostgreSQL the
 * best of three forms of the same transactions).
 *   npx tsx bench/ledger/run.ts [--pairs 20000] [--cards 1000] [--db sqlite,pg] [--concurrency 8] [--rounds 2]
 */
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { captureHoldNow, placeHold } from '../../billing/holds/hold-moves';
import { merchantPayable } from '../../billing/ledger/accounts';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';
import { arg, freshDatabase } from '../support/databases';
import { rawPgPairs, rawSqlitePairs } from './raw-ceiling';
import type { RawPgFigures } from './raw-ceiling';

const pairs = Number(arg('pairs', '20000'));
const cardCount = Number(arg('cards', '1000'));
const concurrency = Number(arg('concurrency', '8'));
const kinds = arg('db', 'sqlite,pg').split(',') as Array<'sqlite' | 'pg'>;

async function seed(billing: Billing): Promise<{ cardIds: number[]; merchant: number }> {
  const cardIds: number[] = [];
  for (let i = 0; i < cardCount; i++) cardIds.push((await billing.issueCard({ value_minor: 10_000_000, currency: 'USD' })).card_id);
  const m = await billing.tx((ctx) => createMerchant(ctx, 'bench'));
  if (!m.ok) throw m.error;
  return { cardIds, merchant: m.value.merchant.id };
}

async function oursPairs(billing: Billing, cardIds: number[], merchant: number, workers: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= pairs) return;
      const card_id = cardIds[i % cardIds.length] as number;
      const hold = await placeHold(billing, card_id, { kind: 'merchant', merchant_id: merchant, amount_minor: 1, currency: 'USD', ttl_ms: 60_000 });
      if (!hold.ok) throw hold.error;
      const cap = await captureHoldNow(billing, hold.value.id, 1, { account: merchantPayable(merchant), entry_kind: 'capture' });
      if (!cap.ok) throw cap.error;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: workers }, worker));
  return (pairs * 2) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`bench/ledger: ${pairs.toLocaleString('en-US')} hold+capture pairs over ${cardCount} cards (ops/s counts holds and captures)`);
const rounds = Number(arg('rounds', '2'));
for (const kind of kinds) {
  const fresh = await freshDatabase(kind);
  try {
    const label = kind === 'sqlite' ? 'SQLite (better-sqlite3, WAL, synchronous=NORMAL)' : `PostgreSQL (${concurrency} concurrent workers)`;
    const seeded = openDatabase(fresh.url, { poolSize: concurrency });
    const { cardIds, merchant } = await seed(new Billing(seeded, new SecretHasher('bench-secret-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY));
    await seeded.close();
    // Core and ceiling alternate, `rounds` times each, and each keeps its best round: both see the
    // same spread of load from whatever else runs on the machine.
    let ours = 0;
    let raw = 0;
    let best: RawPgFigures | undefined;
    for (let round = 0; round < rounds; round++) {
      const db = openDatabase(fresh.url, { poolSize: concurrency });
      const billing = new Billing(db, new SecretHasher('bench-secret-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY);
      const workers = kind === 'sqlite' ? 1 : concurrency;
      if (round === 0) await oursPairs(billing, cardIds, merchant, workers); // warm-up (statement caches, JIT)
      ours = Math.max(ours, await oursPairs(billing, cardIds, merchant, workers));
      await db.close();
      if (kind === 'sqlite') {
        raw = Math.max(raw, rawSqlitePairs(fresh.url.slice('sqlite:'.length), cardIds, pairs));
      } else {
        const f = await rawPgPairs(fresh.url, cardIds, pairs, concurrency);
        if (f.best > raw) { raw = f.best; best = f; }
      }
    }
    const forms = best ? `\n    raw forms  : statements ${fmt(best.statements)}, one-statement ${fmt(best.one_statement)}, pipelined batches ${fmt(best.pipelined_batches)} ops/s (ceiling: ${best.best_form})` : '';
    console.log(`${label}, best of ${rounds} alternating rounds\n  billing core : ${fmt(ours)} ops/s\n  raw driver   : ${fmt(raw)} ops/s${forms}\n  ratio        : ${((ours / raw) * 100).toFixed(1)}% of the raw ceiling`);
  } finally {
    await fresh.drop();
  }
}
