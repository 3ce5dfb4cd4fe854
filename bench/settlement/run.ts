/**
 * Settlement API benchmark: POST /v1/authorizations (capture: true) spread over 10,000 cards,
 * against a real `prepaid serve --roles api` child process, and a bare express JSON endpoint in
 * another child process, both driven by autocannon from this process.
 *
 *   npx tsx bench/settlement/run.ts [--db sqlite|pg] [--seconds 10] [--connections 50] [--cards 10000] [--log-level info] [--profile DIR]
 *                                   [--durability none,sqlite-full,full] [--rounds 3] [--idempotency] [--against REF]
 *
 * On SQLite the API is measured once per durability mode, in the same run (billing/store/sql/sqlite.ts):
 * `full` is what the product runs (every COMMIT fsynced before anyone is answered, the fsync off the
 * event loop); `sqlite-full` (SQLite's synchronous=FULL, fsync inside COMMIT) and `none` (NORMAL, what
 * it ran before issue #13) are forced in the child by bench/support/sqlite-durability-preload.ts.
 * The modes take turns for `--rounds` rounds (a loaded machine drifts), and bare express is measured
 * again just before every API run, so that each run's ratio is to the ceiling of its own minute;
 * each mode prints its round with the median ratio, and lists every round. Two ceilings are measured
 * each time: bare express as anyone writes it (`http.createServer(app)`: the ratio issue #16 sets
 * its targets against), and the same endpoint on the HTTP server the product makes
 * (billing/http/express-server.ts, which spares express's per-request prototype swap): the
 * stricter one, what express itself costs when used as the product uses it.
 * --idempotency sends an Idempotency-Key with every request (a new one each time), as a careful
 * merchant does: the key is bound and the answer stored in the same transaction as the payment.
 * CPU per request is printed for each process, the load generator (this process) included: on a
 * machine with few cores they share them, and the figures show which one the throughput is bound by
 * (on 2 cores, autocannon took 50–120 µs per request: the API's own thread was the bound).
 * --profile writes a V8 CPU profile of the API process into DIR (open it in Chrome DevTools).
 * --against REF also runs the API of a git ref (checked out in a temporary worktree sharing this
 * tree's node_modules, removed at the end) on the same database: in every round and mode, this tree's
 * API and REF's take turns (the order swapped each round), each after its own bare express run, and
 * a last line per mode compares them (CPU per request over all rounds, and round by round the ratio
 * of their ratios): the measurement for a change to the HTTP path.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { Billing } from '../../billing/billing';
import { SecretHasher, generateSecretKey } from '../../billing/cards/secrets';
import { createMerchant } from '../../billing/merchants/merchants';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import { migrate, openDatabase } from '../../billing/store/sql/open';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { backendPids, cpuMsBetween, cpuSnapshot } from '../support/cpu';
import { Children, freePort, ROOT } from '../support/processes';
import { seedCards } from '../support/seed-cards';
import { checkOutRef } from '../support/worktree';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    cards: { type: 'string', default: '10000' },
    merchants: { type: 'string', default: '50' },
    'log-level': { type: 'string', default: 'info' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    profile: { type: 'string' },
    durability: { type: 'string', default: 'none,sqlite-full,full' },
    rounds: { type: 'string', default: '3' },
    idempotency: { type: 'boolean', default: false },
    against: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const CARDS = Number(args.cards);
const MERCHANTS = Number(args.merchants);
if (args.db !== 'sqlite' && args.db !== 'pg') throw new Error('--db must be sqlite or pg');
const MODES = args.db === 'sqlite' ? args.durability!.split(',').map((m) => m.trim()) : ['n/a'];
if (MODES.some((m) => !['none', 'sqlite-full', 'full', 'n/a'].includes(m))) throw new Error('--durability: some of none, sqlite-full, full');
const PRELOAD = 'bench/support/sqlite-durability-preload.ts';

const children = new Children();
const log = (s: string) => process.stderr.write(`${s}\n`);

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: args['pg-url'] });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

async function createDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  if (args.db === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-bench-'));
    return { url: `sqlite:${path.join(dir, 'prepaid.db')}`, name: '', drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `prepaid_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(args['pg-url']!);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

interface Figures { rps: number; p50: number; p99: number; ok: number; non2xx: number; errors: number; timeouts: number; total: number }
type Bare = { f: Figures; cpu: number; gen: number };
type Cpu = { api: number; pg: number; connections: number; gen: number };
/** One API run: its durability mode, whose code it ran, its figures, and the two bare express runs just before it. */
type Round = { mode: string; tree: string; f: Figures; cpu: Cpu; bare: Bare; strict: Bare };

async function load(url: string, setup: (req: { body?: string | Buffer; headers?: Record<string, string> }) => void, seconds: number): Promise<Figures> {
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{ method: 'POST', path: '/v1/authorizations', setupRequest: (req) => { setup(req as never); return req; } }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, total: r.requests.total };
}

async function main(): Promise<void> {
  const theirs = args.against ? checkOutRef(args.against) : undefined;
  const trees = [{ name: 'this tree', root: ROOT }, ...(theirs ? [{ name: `${theirs.ref} (${theirs.sha})`, root: theirs.root }] : [])];
  const db = await createDatabase().catch((err: unknown) => { theirs?.remove(); throw err; });
  try {
    await migrate(db.url);
    const secret = generateSecretKey();
    const billing = new Billing(openDatabase(db.url), new SecretHasher(secret), systemClock, DEFAULT_POLICY);
    log(`seeding ${CARDS} cards and ${MERCHANTS} merchants on ${args.db}…`);
    const cards = await seedCards(billing, CARDS, () => 10_000_000);
    const keys: string[] = [];
    for (let i = 0; i < MERCHANTS; i++) keys.push(unwrap(await billing.tx((ctx) => createMerchant(ctx, `Bench shop ${i}`))).api_key);

    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-bench-data-'));
    const profile = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
    const bare = await children.start(['--import', 'tsx', path.join(ROOT, 'bench/settlement/bare-server.ts')], {});
    const strict = await children.start(['--import', 'tsx', path.join(ROOT, 'bench/settlement/bare-server.ts'), '--product-server'], {});

    // Each request: the next card, the next merchant, the next client address (the API trusts a
    // loopback proxy's X-Forwarded-For, like behind a load balancer).
    let i = 0;
    const runId = randomBytes(4).toString('hex');
    const setup = (req: { body?: string | Buffer; headers?: Record<string, string> }) => {
      const n = i++;
      const c = cards[n % cards.length]!;
      req.headers = {
        'content-type': 'application/json', authorization: `Bearer ${keys[n % keys.length]}`, 'x-forwarded-for': `10.9.${(n >> 8) & 255}.${n & 255}`,
        ...(args.idempotency ? { 'idempotency-key': `bench-${runId}-${n}` } : {}),
      };
      req.body = JSON.stringify({ card_number: c.number, pin: c.pin, amount: 100, currency: 'USD', capture: true, reference: `bench-${n}` });
    };

    log(`warm-up (2 s each), then ${SECONDS} s at ${CONNECTIONS} connections…`);
    await load(bare.url, setup, 2);
    await load(strict.url, setup, 2);
    // CPU per answered request, by process: steadier than req/s on a machine other work also loads.
    // …and this process's own (autocannon runs here): what the load generator takes of the cores.
    const genCpu = (since: NodeJS.CpuUsage) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; };
    const ceiling = async (child: typeof bare): Promise<Bare> => {
      const [cpu0, gen0] = [cpuSnapshot([child.proc.pid!]), process.cpuUsage()];
      const f = await load(child.url, setup, SECONDS);
      return { f, cpu: cpuMsBetween(cpu0, cpuSnapshot([child.proc.pid!])), gen: genCpu(gen0) };
    };
    const rounds: Round[] = [];
    for (let round = 0; round < Number(args.rounds); round++) for (const mode of MODES) for (const tree of round % 2 === 0 ? trees : [...trees].reverse()) {
      // The ceiling is measured again just before each API run: the machine drifts, and each
      // run's ratio is taken against the ceiling of its own minute.
      const bareRound = await ceiling(bare);
      const strictRound = await ceiling(strict);
      // A free port chosen here, so the server's URL is known whatever LOG_LEVEL hides.
      const port = await freePort();
      const forced = mode === 'none' || mode === 'sqlite-full';
      const preload = forced ? ['--import', 'tsx', '--import', path.join(tree.root, PRELOAD)] : [];
      const api = await children.start([...profile, ...preload, path.join(tree.root, 'bin/prepaid.mjs'), 'serve', '--roles', 'api'], {
        DATA_DIR: dataDir, DATABASE_URL: db.url, SECRET_KEY: secret, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: args['log-level']!,
        ...(forced ? { BENCH_SQLITE_DURABILITY: mode } : {}),
      }, `http://127.0.0.1:${port}`, forced ? `bench: durability ${mode}` : undefined);
      await load(api.url, setup, 2);
      const pgPids = args.db === 'pg' ? await backendPids(args['pg-url']!, db.name) : [];
      const apiCpu0 = cpuSnapshot([api.proc.pid!]);
      const pgCpu0 = cpuSnapshot(pgPids);
      const gen0 = process.cpuUsage();
      const f = await load(api.url, setup, SECONDS);
      rounds.push({ mode, tree: tree.name, f, bare: bareRound, strict: strictRound, cpu: { api: cpuMsBetween(apiCpu0, cpuSnapshot([api.proc.pid!])), pg: cpuMsBetween(pgCpu0, cpuSnapshot(pgPids)), connections: pgPids.length, gen: genCpu(gen0) } });
      await children.stop(api.proc);
    }
    await children.stop(bare.proc);
    await children.stop(strict.proc);
    const q = billing.read().q;
    const captured = Number((await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'captured'"))?.n);
    const verify = await verifyLedger(q);
    await billing.db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });

    // Per mode (and tree), the round with the median ratio to its own round's ceiling; every round is listed below it.
    const ratio = (r: { f: Figures; bare: Bare }) => r.f.rps / r.bare.f.rps;
    const apiFigs = MODES.flatMap((mode) => trees.map(({ name: tree }) => {
      const mine = rounds.filter((r) => r.mode === mode && r.tree === tree).sort((a, b) => ratio(a) - ratio(b));
      const median = mine[Math.floor(mine.length / 2)]!;
      return { mode, tree, f: median.f, cpu: median.cpu, bare: median.bare, strict: median.strict, all: mine.map((r) => `${Math.round(r.f.rps)} of ${Math.round(r.bare.f.rps)} (${(100 * ratio(r)).toFixed(1)}%)`) };
    }));
    const row = (name: string, f: Figures) => `${name.padEnd(theirs ? 64 : 46)} ${f.rps.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms   2xx ${f.ok}  non-2xx ${f.non2xx}  errors ${f.errors}`;
    console.log(`settlement bench: ${args.db}, ${CONNECTIONS} connections, ${SECONDS} s, ${CARDS} cards, ${MERCHANTS} merchants, ${os.cpus().length} cores, LOG_LEVEL=${args['log-level']}${args.idempotency ? ', an Idempotency-Key on every request' : ''}`);
    const us = (ms: number, n: number) => `${Math.round((1000 * ms) / Math.max(1, n))} µs`;
    for (const { mode, tree, f, cpu, bare: b, strict: st, all } of apiFigs) {
      const label = [mode === 'n/a' ? '' : mode, theirs ? tree : ''].filter(Boolean).join(', ');
      console.log(row('bare express JSON endpoint (the same round)', b.f));
      console.log(row('  …on the product\'s HTTP server (stricter)', st.f));
      console.log(row(`POST /v1/authorizations capture${label ? ` (${label})` : ''}`, f));
      console.log(`  ratio API / bare express: ${(100 * f.rps / b.f.rps).toFixed(1)}% (median round); rounds, API of its round's ceiling: ${all.join(', ')} req/s`);
      console.log(`  ratio API / bare express on the product's HTTP server: ${(100 * f.rps / st.f.rps).toFixed(1)}% (the same round)`);
      console.log(`  CPU per request: bare express ${us(b.cpu, b.f.total)} (on the product's server ${us(st.cpu, st.f.total)}); API process ${us(cpu.api, f.total)}${args.db === 'pg' ? `, PostgreSQL backends ${us(cpu.pg, f.total)} (${cpu.connections} connections)` : ''}; load generator ${us(b.gen, b.f.total)} / ${us(cpu.gen, f.total)} (bare / API run)`);
    }
    const mine = apiFigs.filter((a) => a.tree === trees[0]!.name);
    const none = mine.find((a) => a.mode === 'none')?.f;
    for (const { mode, f } of mine.filter((a) => a.mode === 'full' || a.mode === 'sqlite-full')) {
      if (none) console.log(`cost of durability ${mode} vs none (NORMAL): throughput ${(100 * (f.rps / none.rps - 1)).toFixed(1)}%, p99 ${none.p99} → ${f.p99} ms`);
    }
    if (theirs) for (const mode of MODES) console.log(compareTrees(rounds.filter((r) => r.mode === mode), trees[0]!.name, trees[1]!.name, mode));
    console.log(`ledger verify: ${verify.ok ? 'ok' : 'FAILED'}; captured holds ${captured} (warm-ups included)`);
    if (!verify.ok || rounds.some((a) => a.f.non2xx > 0 || a.f.errors > 0)) process.exitCode = 1;
  } finally {
    await children.stopAll();
    await db.drop();
    theirs?.remove();
  }
}

/**
 * --against: this tree's API vs REF's in one mode. CPU per request over all their rounds (the
 * steadier figure), and round by round the ratio of their ratios to their own ceilings.
 */
function compareTrees(rounds: Round[], mine: string, theirs: string, mode: string): string {
  const pct = (x: number) => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)}%`;
  const of = (tree: string) => rounds.filter((r) => r.tree === tree);
  const cpuPer = (rs: Round[]) => rs.reduce((t, r) => t + r.cpu.api + (args.db === 'pg' ? r.cpu.pg : 0), 0) / rs.reduce((t, r) => t + r.f.total, 0);
  const ratio = (r: Round) => r.f.rps / r.bare.f.rps;
  const [a, b] = [of(mine), of(theirs)];
  const byRound = a.map((r, k) => ratio(r) / ratio(b[k]!)).sort((x, y) => x - y);
  const cpuWhat = args.db === 'pg' ? 'API process + PostgreSQL backends' : 'API process';
  return `this tree vs ${theirs}${mode === 'n/a' ? '' : ` (${mode})`}: ${cpuWhat} ${(1000 * cpuPer(a)).toFixed(0)} vs ${(1000 * cpuPer(b)).toFixed(0)} µs CPU per request (${pct(cpuPer(a) / cpuPer(b))}, all rounds); `
    + `ratio to the ceiling, round by round: median ${pct(byRound[Math.floor(byRound.length / 2)]!)}, ${pct(byRound[0]!)} to ${pct(byRound[byRound.length - 1]!)}`;
}

await main();
