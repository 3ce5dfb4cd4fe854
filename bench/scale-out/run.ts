/**
 * bench/scale-out — the PostgreSQL deployment, for real: two `prepaid serve --roles api` processes
 * and one `prepaid serve --roles ivr` process share one PostgreSQL database. autocannon drives the
 * merchant load (POST /v1/authorizations, capture) at both API processes while 500 calls come in
 * through the ARI simulator (in this process, speaking HTTP + WebSocket to the IVR process as an
 * Asterisk would). One charge in ten lands on a card that is on a call at that moment.
 *
 *   npx tsx bench/scale-out/run.ts [--calls 500] [--connections 50] [--rate N] [--cards 10000] [--speed 2] [--talk 40]
 *
 * Without --rate the merchants send as fast as the API answers (the machine saturated: throughput);
 * --rate N paces them at N req/s in all (the calls' latency beside a steady merchant load).
 * BENCH_MAX_CALLS=N sets the IVR's IVR_MAX_CALLS_PER_CARD (default 2: two calls share each call card;
 * 0 shows what taking a card's place costs at login).
 *
 * Prints: the bare express ceiling (two bare processes, same load split), the merchant req/s summed
 * over both API processes with each one's p99, DTMF → next prompt p50/p99/max of the calls, CPU per
 * process, and the overdraft checks (ledger verify, cards with balance < pending, holds or call
 * records left open, funded calls cut off).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Billing } from '../../billing/billing';
import { SecretHasher, generateSecretKey } from '../../billing/cards/secrets';
import { createMerchant } from '../../billing/merchants/merchants';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { unwrap } from '../../billing/shared/errors';
import { openDatabase } from '../../billing/store/sql/open';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { AriSimulator } from '../../ivr/sim/ari-simulator';
import { dtmfLatency, placeScriptedCalls } from '../support/scripted-callers';
import { farEnds } from '../../ivr/sim/far-end';
import { cpuMsBetween, cpuSnapshot, backendPids } from '../support/cpu';
import { freshDatabase, PG_ADMIN_URL } from '../support/databases';
import { seedCards } from '../support/seed-cards';
import { Children, ROOT } from '../support/processes';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    connections: { type: 'string', default: '50' },
    cards: { type: 'string', default: '10000' },
    merchants: { type: 'string', default: '50' },
    speed: { type: 'string', default: '2' },
    talk: { type: 'string', default: '40' },
    rate: { type: 'string', default: '0' },
    'log-level': { type: 'string', default: 'info' },
  },
});
const CALLS = Number(args.calls);
const CONNECTIONS = Number(args.connections);
const CARDS = Number(args.cards);
const MERCHANTS = Number(args.merchants);
const SPEED = Number(args.speed);
const TALK_S = Number(args.talk);
const RATE = Number(args.rate);
const RICH_MINOR = 10_000;
const POOR_MINOR = 30;

const log = (s: string) => process.stderr.write(`${s}\n`);


async function main(): Promise<void> {
  const db = await freshDatabase('pg');
  const dataDirs: string[] = [];
  const children = new Children();
  const sim = new AriSimulator({ user: 'bench', password: 'bench-ari-password', speed: SPEED, mediaDuration: () => 1000 });
  try {
    const secret = generateSecretKey();
    const billing = new Billing(openDatabase(db.url), new SecretHasher(secret), systemClock, DEFAULT_POLICY);
    log(`seeding ${CARDS} merchant cards, ${Math.ceil(CALLS / 2)} call cards, ${MERCHANTS} merchants…`);
    const shopCards = await seedCards(billing, CARDS, () => 10_000_000);
    const callCards = await seedCards(billing, Math.ceil(CALLS / 2), (i) => (i % 2 === 0 ? RICH_MINOR : POOR_MINOR));
    const keys: string[] = [];
    for (let i = 0; i < MERCHANTS; i++) keys.push(unwrap(await billing.tx((ctx) => createMerchant(ctx, `Bench shop ${i}`))).api_key);
    await importDeck(billing.db, 'default', 'USD', [
      { prefix: '1', destination: 'USA', rate_per_minute_scaled: 60 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 1, increment_s: 1, min_charge_minor: 0, blocked: false },
    ], Date.now());

    // The processes: two API, one IVR (its Asterisk is the simulator here), and the ceiling's two bare express.
    const simUrl = await sim.start();
    sim.setFarEnd(() => farEnds.answer(2000, TALK_S * 1000));
    const dataDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'prepaid-scale-')); dataDirs.push(d); return d; };
    const common = { DATABASE_URL: db.url, SECRET_KEY: secret, LOG_LEVEL: args['log-level']! };
    const apis = await Promise.all([0, 1].map(() => children.serve('api', { ...common, DATA_DIR: dataDir() })));
    const ivr = await children.serve('ivr', {
      ...common, DATA_DIR: dataDir(), ARI_URL: simUrl, ARI_USERNAME: 'bench', ARI_PASSWORD: 'bench-ari-password', ARI_APP: 'prepaid', IVR_LANGUAGES: 'en', IVR_NODE_ID: 'bench',
      // Two calls share each call card (as in bench/calls): the product's default of one call per card would refuse half.
      IVR_MAX_CALLS_PER_CARD: process.env.BENCH_MAX_CALLS ?? '2',
    });
    const bares = await Promise.all([0, 1].map(() => children.start(['--import', 'tsx', path.join(ROOT, 'bench/settlement/bare-server.ts')], {})));

    // Each charge: the next merchant and client address; nine in ten on a shop card, one in ten (5 ¢) on a call card.
    let n = 0;
    const setupRequest = (req: { body?: string; headers?: Record<string, string> }) => {
      const i = n++;
      const onCall = i % 10 === 9;
      const c = onCall ? callCards[(i / 10) % callCards.length | 0]! : shopCards[i % shopCards.length]!;
      req.headers = { 'content-type': 'application/json', authorization: `Bearer ${keys[i % keys.length]}`, 'x-forwarded-for': `10.8.${(i >> 8) & 255}.${i & 255}` };
      req.body = JSON.stringify({ card_number: c.number, pin: c.pin, amount: onCall ? 5 : 100, currency: 'USD', capture: true, reference: `scale-${i}` });
      return req;
    };
    const cannon = (url: string, seconds: number, paced = false) => autocannon({
      url, connections: Math.max(1, Math.floor(CONNECTIONS / 2)), duration: seconds,
      ...(paced && RATE > 0 ? { overallRate: RATE / 2 } : {}),
      requests: [{ method: 'POST', path: '/v1/authorizations', setupRequest: setupRequest as never }],
    });

    log('warm-up (3 s), ceiling: bare express × 2 (10 s)…');
    await Promise.all(apis.map((a) => cannon(a.url, 3)));
    const bare = await Promise.all(bares.map((b) => cannon(b.url, 10)));
    for (const b of bares) await children.stop(b.proc);

    // Calls, scripted by prompt as a caller would key them.
    const latency = dtmfLatency(sim);

    const pgPids = await backendPids(PG_ADMIN_URL, new URL(db.url).pathname.slice(1));
    const pids = { api: apis.map((a) => a.proc.pid!), ivr: [ivr.proc.pid!], pg: pgPids, bench: [process.pid] };
    const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, cpuSnapshot(v)]));
    log(`merchant load on both API processes while ${CALLS} calls come in…`);
    const load = apis.map((a) => cannon(a.url, 3600, true));
    const t0 = Date.now();
    const ended = await placeScriptedCalls(sim, latency, CALLS, (i) => callCards[Math.floor(i / 2)]!, 2_000_000);
    await Promise.all(ended);
    const wall_s = (Date.now() - t0) / 1000;
    for (const l of load) (l as unknown as { stop(): void }).stop();
    const merchant = await Promise.all(load);
    const cpu = Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, cpuMsBetween(cpu0[k]!, cpuSnapshot(v))]));
    // Let the IVR settle the last calls (its records close after the caller's hang-up).
    for (let i = 0; i < 100; i++) {
      const active = await billing.read().q.one<{ n: number }>("SELECT COUNT(*) AS n FROM call_records WHERE status = 'active'");
      if (Number(active?.n) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await children.stopAll();

    const q = billing.read().q;
    const report = await verifyLedger(q);
    const over = await q.all('SELECT id FROM cards WHERE balance_minor < pending_minor OR balance_minor < 0');
    const pending = await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'pending'");
    const active = await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM call_records WHERE status = 'active'");
    const causes = await q.all<{ cause: string; n: number }>('SELECT hangup_cause AS cause, COUNT(*) AS n FROM call_records GROUP BY hangup_cause ORDER BY hangup_cause');
    const funded = await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM call_records r JOIN cards c ON c.id = r.card_id WHERE r.hangup_cause = 'cut_off' AND c.balance_minor >= 100");
    const onCallCharges = await q.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds h JOIN cards c ON c.id = h.card_id WHERE h.kind = 'merchant' AND h.amount_minor = 5");
    await billing.db.close();

    const rps = (rs: autocannon.Result[]) => rs.reduce((s, r) => s + r.requests.average, 0);
    const bareRps = rps(bare);
    const apiRps = rps(merchant);
    const errors = merchant.reduce((s, r) => s + r.errors + r.timeouts, 0);
    const codes = new Map<string, number>();
    for (const r of merchant) for (const [code, v] of Object.entries((r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {})) codes.set(code, (codes.get(code) ?? 0) + v.count);
    const statuses = [...codes].map(([c, k]) => `${c}: ${k}`).join(', ');
    // A charge on a call card may find it spent (402 insufficient_funds); anything else is a failure.
    const unexpected = [...codes].filter(([c]) => c !== '201' && c !== '402').reduce((s, [, k]) => s + k, 0) + errors;
    const totalRequests = merchant.reduce((s, r) => s + r.requests.total, 0);
    const us = (ms: number | undefined) => `${Math.round((1000 * (ms ?? NaN)) / Math.max(1, totalRequests + CALLS))} µs`;
    console.log(`bench/scale-out: 2 API processes + 1 IVR process on one PostgreSQL, ${CONNECTIONS} connections${RATE > 0 ? ` paced at ${RATE} req/s` : ''}, ${CALLS} calls (simulator ×${SPEED}, ${TALK_S} s talk), ${os.cpus().length} cores, LOG_LEVEL=${args['log-level']}`);
    console.log(`  ceiling: bare express × 2       ${bareRps.toFixed(0).padStart(6)} req/s (p99 ${bare.map((b) => b.latency.p99).join(' / ')} ms)`);
    console.log(`  merchants: POST /v1/authorizations ${apiRps.toFixed(0).padStart(6)} req/s summed over both API processes (${merchant.map((m) => m.requests.average.toFixed(0)).join(' + ')}), p99 ${merchant.map((m) => m.latency.p99).join(' / ')} ms; ${(100 * apiRps / bareRps).toFixed(1)}% of the ceiling`);
    console.log(`    answers ${statuses}; socket errors or timeouts ${errors}`);
    console.log(`  calls: ${CALLS} in ${wall_s.toFixed(1)} s; hang-up causes ${causes.map((c) => `${c.cause} ${Number(c.n)}`).join(', ')}; ${Number(onCallCharges?.n)} merchant charges landed on call cards`);
    const lat = latency.report();
    for (const l of lat.lines) console.log(l);
    const http = sim.httpSessions();
    console.log(`  ARI HTTP connections (Asterisk's limit: 100 at once): peak ${http.peak}, closed unanswered for being beyond the limit ${http.refused}`);
    console.log(`  CPU per request or call while both ran: API processes ${us(cpu.api)}, IVR process ${us(cpu.ivr)}, PostgreSQL ${us(cpu.pg)} (${pgPids.length} connections at start), this process (load + simulator) ${us(cpu.bench)}`);
    console.log(`  funded calls cut off (card still had ≥ $1 after): ${Number(funded?.n ?? 0)} (goal: zero)`);
    console.log(`  overdraft: ledger verify ${report.ok ? 'clean' : `${report.violations.length} violation(s)`}; cards with balance < pending: ${over.length}; holds left pending: ${Number(pending?.n ?? 0)}; call records left active: ${Number(active?.n ?? 0)} (goal: all zero)`);
    if (!report.ok || over.length > 0 || Number(pending?.n ?? 0) > 0 || unexpected > 0) process.exitCode = 1;
  } finally {
    await children.stopAll();
    await sim.stop().catch(() => undefined);
    await db.drop();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
