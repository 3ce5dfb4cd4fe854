/**
 * bench/calls/fencing — what the IVR-lease fencing costs the metering hot path. Every money write of
 * a live call (reserve a chunk, capture it, settle) first checks in its transaction that this IVR
 * node still owns the call (`ownsActiveCall`, a primary-key read; a row lock on PostgreSQL). This
 * runs the same calls — reserve, capture every elapsed chunk, settle — with the check (owner set, as
 * the IVR runs) and without it (the ceiling), interleaved in rounds, on one database.
 *   npx tsx bench/calls/fencing.ts [--calls 300] [--chunks 10] [--rounds 3] [--db sqlite|pg]
 */
import { Billing } from '../../billing/billing';
import { CallMetering } from '../../billing/calls/call-metering';
import { insertCallRecord } from '../../billing/calls/call-records';
import { SecretHasher } from '../../billing/cards/secrets';
import { RATE_SCALE } from '../../billing/rating/rate';
import type { Rate } from '../../billing/rating/rate';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { arg, freshDatabase } from '../support/databases';

const CALLS = Number(arg('calls', '300'));
const CHUNKS = Number(arg('chunks', '10'));
const ROUNDS = Number(arg('rounds', '3'));
const KIND = arg('db', 'sqlite') as 'sqlite' | 'pg';
const RATE: Rate = { prefix: '1', destination: 'USA', rate_per_minute_scaled: 60 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 1, increment_s: 1, min_charge_minor: 0, blocked: false };

async function main(): Promise<void> {
  const fresh = await freshDatabase(KIND);
  const db = openDatabase(fresh.url, { poolSize: 8 });
  const billing = new Billing(db, new SecretHasher('bench-secret-key-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY);
  let n = 0;
  /** CALLS calls at once, each CHUNKS chunks of 5 s: reserve ahead, capture, settle. Returns money transactions per second. */
  async function run(owner: string | undefined): Promise<number> {
    const cards = [];
    for (let i = 0; i < CALLS; i++) cards.push((await billing.issueCard({ value_minor: 1_000_000, currency: 'USD' })).card_id);
    const calls = [];
    for (const card_id of cards) {
      const id = `bench-${String(++n).padStart(32, '0')}`;
      await billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: 0, ivr_node: 'bench' }));
      calls.push(new CallMetering(billing, id, card_id, 'USD', RATE, 5, owner));
    }
    let txs = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(calls.map(async (m) => {
      for (let c = 0; c < CHUNKS; c++) {
        const r = await m.extend();
        if (!r.ok || !r.value) throw new Error('reservation refused');
        txs += 1 + (await m.captureElapsed(m.limit_s - 5 < 0 ? 0 : m.limit_s - 5));
      }
      await m.finish(m.limit_s, { hangup_cause: 'bench', answered_at_ms: 0, ended_at_ms: 0, status: 'completed' });
      txs++;
    }));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    return txs / s;
  }
  const fenced: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bare.push(await run(undefined));
    fenced.push(await run('bench'));
  }
  const report = await verifyLedger(db);
  const best = (xs: number[]) => Math.max(...xs);
  console.log(`bench/calls/fencing: ${CALLS} concurrent calls × ${CHUNKS} chunks, ${KIND}, ${ROUNDS} interleaved rounds (best of each)`);
  console.log(`  with the ownership check (as the IVR runs): ${best(fenced).toFixed(0)} money transactions/s  [rounds: ${fenced.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  ceiling, same calls without the check:      ${best(bare).toFixed(0)} money transactions/s  [rounds: ${bare.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`  ratio ${(100 * best(fenced) / best(bare)).toFixed(1)}% of the ceiling; ledger ${report.ok ? 'ok' : 'VIOLATIONS'}`);
  await db.close();
  await fresh.drop();
}

await main();
