/**
 * bench/store/sustained-writes — SQLite under a write load that never pauses: authorizations with
 * capture (the settlement API's operation, card number and PIN checked) from 50 concurrent callers
 * through the billing core, round after round on a database that keeps growing, as a busy shop's does.
 * Two databases in the same run, one after the other, each loaded without a pause from its first
 * round to its last (alternating rounds would give each an idle spell, in which a PASSIVE checkpoint
 * catches up and the WAL starts over on its own — what a busy shop never gets):
 * - `restarts` (the product): the checkpoint worker asks the writer for a pause between two batches
 *   once the WAL is long, and the WAL starts over (billing/store/sql/sqlite-checkpointer.ts);
 * - `passive only` (before): PASSIVE checkpoints alone, which never let a busy WAL start over.
 * Prints per round authorizations/s, CPU per authorization (this process: the writer, the checkpoint
 * worker, the fsyncs), the WAL and database file sizes, and the writer's pauses. The ceiling is each
 * database's own first round, on a fresh file.
 *   npx tsx bench/store/sustained-writes.ts [--rounds 6] [--per-round 20000] [--cards 10000] [--first restarts|passive]
 */
import fs from 'node:fs';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { createMerchant } from '../../billing/merchants/merchants';
import { authorize } from '../../billing/settlement/settlement';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import { SqliteDatabase } from '../../billing/store/sql/sqlite';
import { CHECKPOINT_DEFAULTS, SqliteCheckpointer } from '../../billing/store/sql/sqlite-checkpointer';
import { arg, freshDatabase } from '../support/databases';
import { seedCards } from '../support/seed-cards';

const ROUNDS = Number(arg('rounds', '6'));
const PER_ROUND = Number(arg('per-round', '20000'));
const CARDS = Number(arg('cards', '10000'));
const CALLERS = 50;
const SECRET = 'bench-secret-0123456789abcdef0123456789';

// The writer's pauses, timed where the store calls them.
const pauses = new Map<SqliteCheckpointer, number[]>();
const finish = SqliteCheckpointer.prototype.finish;
SqliteCheckpointer.prototype.finish = async function (this: SqliteCheckpointer) {
  const t0 = performance.now();
  const r = await finish.call(this);
  pauses.set(this, [...(pauses.get(this) ?? []), performance.now() - t0]);
  return r;
};

interface Subject { name: string; file: string; db: SqliteDatabase; billing: Billing; cards: Array<{ number: string; pin: string }>; merchants: number[]; rows: string[]; drop(): Promise<void> }

async function subject(name: string, restarts: boolean): Promise<Subject> {
  const fresh = await freshDatabase('sqlite');
  const file = fresh.url.slice('sqlite:'.length);
  const checkpoint = restarts ? CHECKPOINT_DEFAULTS : { ...CHECKPOINT_DEFAULTS, restart_frames: Number.MAX_SAFE_INTEGER };
  const db = new SqliteDatabase(file, { checkpoint });
  const billing = new Billing(db, new SecretHasher(SECRET), systemClock, DEFAULT_POLICY);
  const cards = await seedCards(billing, CARDS, () => 1_000_000_000);
  const merchants: number[] = [];
  for (let i = 0; i < 50; i++) merchants.push(unwrap(await billing.tx((ctx) => createMerchant(ctx, `bench ${i}`))).merchant.id);
  return { name, file, db, billing, cards, merchants, rows: [], drop: fresh.drop };
}

const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
let serial = 0;

async function round(s: Subject, k: number): Promise<{ rate: number; cpu_us: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const before = (pauses.get((s.db as unknown as { checkpointer: SqliteCheckpointer }).checkpointer) ?? []).length;
  let issued = 0;
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (issued < PER_ROUND) {
      issued++;
      const n = serial++;
      const c = s.cards[(n * 7919) % s.cards.length]!;
      const merchant_id = s.merchants[n % s.merchants.length]!;
      const r = await s.billing.tx((ctx) => authorize(ctx, merchant_id, { card_number: c.number, pin: c.pin, amount: 1, currency: 'USD', capture: true, reference: `b${n}` }, { merchant_key: `merchant:${merchant_id}` }));
      if (!r.ok) throw new Error(`authorization refused: ${r.error.code}`);
    }
  }));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mine = (pauses.get((s.db as unknown as { checkpointer: SqliteCheckpointer }).checkpointer) ?? []).slice(before).sort((a, b) => a - b);
  const rate = (PER_ROUND / wall) * 1000;
  const cpu_us = (cpu.user + cpu.system) / PER_ROUND;
  const p = mine.length ? `${mine.length} pauses, p50 ${mine[mine.length >> 1]!.toFixed(1)} ms, max ${mine.at(-1)!.toFixed(1)} ms` : 'no pause';
  s.rows.push(`  round ${k + 1}: ${rate.toFixed(0).padStart(5)} auth/s   CPU ${cpu_us.toFixed(0).padStart(4)} µs/auth   WAL file ${mb(size(`${s.file}-wal`)).padStart(9)}   database ${mb(size(s.file)).padStart(8)}   ${p}`);
  return { rate, cpu_us };
}

const order = arg('first', 'restarts') === 'passive' ? [false, true] : [true, false];
const subjects: Subject[] = [];
const firstLast = new Map<Subject, Array<{ rate: number; cpu_us: number }>>();
try {
  for (const restarts of order) {
    const s = await subject(restarts ? 'restarts (the product)' : 'passive only (before)', restarts);
    subjects.push(s);
    for (let k = 0; k < ROUNDS; k++) firstLast.set(s, [...(firstLast.get(s) ?? []), await round(s, k)]);
  }
  console.log(`sustained writes on SQLite: ${ROUNDS} rounds × ${PER_ROUND} authorizations with capture, ${CALLERS} callers, ${CARDS} cards, durability full`);
  for (const s of subjects) {
    const r = firstLast.get(s)!;
    console.log(`${s.name}: last round ${(100 * r.at(-1)!.rate / r[0]!.rate).toFixed(0)}% of the first's throughput (ceiling: its own first round), CPU ${r[0]!.cpu_us.toFixed(0)} → ${r.at(-1)!.cpu_us.toFixed(0)} µs/auth; WAL restarts ${s.db.stats.wal_restarts}`);
    for (const row of s.rows) console.log(row);
  }
} finally {
  for (const s of subjects) { await s.db.close(); await s.drop(); }
}
