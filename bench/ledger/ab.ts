/**
 * bench/ledger/ab.ts — the billing core's holds+captures on PostgreSQL, this working tree against a
 * git ref, both in ONE process on ONE fresh database, taking turns in slices (the order swapped
 * every slice) so that both see the same seconds of the machine. This is the measurement for a
 * change to the money path: the machine's speed drifts by tens of per cent between runs minutes
 * apart, more than most changes move it.
 *   npx tsx bench/ledger/ab.ts --against REF [--slices 24] [--per 3000] [--cards 1000] [--concurrency 8]
 * REF is checked out in a temporary git worktree sharing this tree's node_modules (removed at the
 * end). This tree migrates the database, so REF's code must run on this tree's schema.
 */
import path from 'node:path';
import type * as BillingModule from '../../billing/billing';
import type * as SecretsModule from '../../billing/cards/secrets';
import type * as MovesModule from '../../billing/holds/hold-moves';
import type * as AccountsModule from '../../billing/ledger/accounts';
import type * as MerchantsModule from '../../billing/merchants/merchants';
import type * as ClockModule from '../../billing/shared/clock';
import type * as ContextModule from '../../billing/shared/context';
import type * as OpenModule from '../../billing/store/sql/open';
import type { Billing } from '../../billing/billing';
import { backendPids, cpuMsBetween, cpuSnapshot } from '../support/cpu';
import { arg, freshDatabase, PG_ADMIN_URL } from '../support/databases';
import { ROOT } from '../support/processes';
import { checkOutRef } from '../support/worktree';
import { corePairs } from './core-pairs';
import type { PairRunner } from './raw-ceiling';

const against = arg('against', '');
const slices = Number(arg('slices', '24'));
const per = Number(arg('per', '3000'));
const cardCount = Number(arg('cards', '1000'));
const concurrency = Number(arg('concurrency', '8'));
if (!against) throw new Error('--against REF: the git ref (commit, branch, tag) to compare this working tree with');
const SECRET = 'bench-secret-0123456789abcdef0123456789';

/** A tree's billing core, loaded from its own files. */
async function loadCore(root: string, url: string): Promise<{ billing: Billing; moves: Parameters<typeof corePairs>[1]; createMerchant: typeof MerchantsModule.createMerchant }> {
  const load = <T>(file: string) => import(path.join(root, file)) as Promise<T>;
  const [b, secrets, moves, accounts, merchants, clock, context, open] = await Promise.all([
    load<typeof BillingModule>('billing/billing.ts'), load<typeof SecretsModule>('billing/cards/secrets.ts'), load<typeof MovesModule>('billing/holds/hold-moves.ts'),
    load<typeof AccountsModule>('billing/ledger/accounts.ts'), load<typeof MerchantsModule>('billing/merchants/merchants.ts'), load<typeof ClockModule>('billing/shared/clock.ts'),
    load<typeof ContextModule>('billing/shared/context.ts'), load<typeof OpenModule>('billing/store/sql/open.ts'),
  ]);
  const billing = new b.Billing(open.openDatabase(url, { poolSize: concurrency }), new secrets.SecretHasher(SECRET), clock.systemClock, context.DEFAULT_POLICY);
  return { billing, moves: { placeHold: moves.placeHold, captureHoldNow: moves.captureHoldNow, merchantPayable: accounts.merchantPayable }, createMerchant: merchants.createMerchant };
}

const theirTree = checkOutRef(against);
const { sha, root: worktree } = theirTree;
const opened: Billing[] = [];
let fresh: Awaited<ReturnType<typeof freshDatabase>> | undefined;
try {
  fresh = await freshDatabase('pg');
  const mine = await loadCore(ROOT, fresh.url);
  opened.push(mine.billing);
  const theirs = await loadCore(worktree, fresh.url);
  opened.push(theirs.billing);
  const cardIds: number[] = [];
  for (let i = 0; i < cardCount; i++) cardIds.push((await mine.billing.issueCard({ value_minor: 10_000_000, currency: 'USD' })).card_id);
  const m = await mine.billing.tx((ctx) => mine.createMerchant(ctx, 'bench'));
  if (!m.ok) throw m.error;
  const runners = [corePairs('this tree', mine.moves, mine.billing, m.value.merchant.id, concurrency), corePairs(against, theirs.moves, theirs.billing, m.value.merchant.id, concurrency)];
  const dbName = new URL(fresh.url).pathname.slice(1);
  const spent = new Map(runners.map((r) => [r.name, { s: 0, pg: 0, node: 0 }]));
  const timed = async (r: PairRunner, pairs: number) => {
    const pids = await backendPids(PG_ADMIN_URL, dbName);
    const [pg0, node0] = [cpuSnapshot(pids), process.cpuUsage()];
    const s = await r.run(cardIds, pairs);
    const node = process.cpuUsage(node0);
    const e = spent.get(r.name)!;
    e.s += s;
    e.pg += cpuMsBetween(pg0, cpuSnapshot(pids));
    e.node += (node.user + node.system) / 1000;
    return s;
  };
  for (const r of runners) await timed(r, Math.max(1, Math.floor(per / 4))); // warm-up (statement caches, JIT, connections)
  for (const e of spent.values()) Object.assign(e, { s: 0, pg: 0, node: 0 });
  const ratios: number[] = [];
  for (let k = 0; k < slices; k++) {
    const order = k % 2 === 0 ? runners : [...runners].reverse();
    const took = new Map<string, number>();
    for (const r of order) took.set(r.name, await timed(r, per));
    ratios.push(took.get(against)! / took.get('this tree')!);
  }
  ratios.sort((a, b) => a - b);
  const ops = slices * per * 2;
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)}%`;
  const line = (name: string) => {
    const e = spent.get(name)!;
    return `  ${name.padEnd(12)}: ${Math.round(ops / e.s).toLocaleString('en-US')} holds+captures/s; CPU per op PostgreSQL ${((e.pg * 1000) / ops).toFixed(0)} µs, Node ${((e.node * 1000) / ops).toFixed(0)} µs`;
  };
  console.log(`bench/ledger ab: this working tree vs ${against} (${sha}), ${slices} slices of ${per.toLocaleString('en-US')} pairs each, ${concurrency} workers, one process, one database`);
  console.log(line('this tree'));
  console.log(line(against));
  console.log(`  this tree vs ${against}: ${pct(spent.get(against)!.s / spent.get('this tree')!.s)} in all; slice by slice median ${pct(ratios[Math.floor(slices / 2)]!)}, ${pct(ratios[0]!)} to ${pct(ratios[slices - 1]!)}`);
} finally {
  for (const b of opened) await b.db.close();
  await fresh?.drop();
  theirTree.remove();
}
