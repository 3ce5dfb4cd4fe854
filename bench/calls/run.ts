/**
 * bench/calls — N concurrent simulated prepaid calls with real-time metering in one process: the IVR
 * through ari-client and SQLite (or PostgreSQL) on the main thread, the ARI simulator (HTTP +
 * WebSocket on loopback) and its scripted callers on a thread of their own (sim-thread.ts), as a real
 * Asterisk is another process. `--sim-thread off` puts them all on one thread, as before.
 * Every caller logs in with card number + PIN, hears the balance, dials, talks, and is either
 * cut off when the money runs out (cards shared by two calls with 30 ¢) or hung up on by the far end.
 *   npx tsx bench/calls/run.ts [--calls 500] [--speed 5] [--talk 30] [--db sqlite|pg] [--pool N] [--pipelined N] [--group-commit on|off]
 *                              [--ari-requests N] [--sim-thread on|off]
 * The simulator serves ARI as Asterisk does, at most 100 HTTP connections at once (http.conf
 * `sessionlimit`); --ari-requests sets the IVR's bound on requests in flight (default 50).
 * Prints: p50/p99/max from the last DTMF of an input to the app's next playback request, the main
 * thread's event-loop delay (p50/p99/max: what it queues behind its own work), CPU per call
 * (process.cpuUsage: every thread, simulator included), and overdraft checks (verifyLedger, no card
 * with balance < pending, no hold left pending).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Billing } from '../../billing/billing';
import { SecretHasher } from '../../billing/cards/secrets';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { systemClock } from '../../billing/shared/clock';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { MemoryLogger } from '../../billing/shared/logger';
import { openDatabase } from '../../billing/store/sql/open';
import { PostgresDatabase } from '../../billing/store/sql/postgres';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { AriTelephony } from '../../ivr/ari/ari-telephony';
import { scaledCallClock } from '../../ivr/calls/call-clock';
import type { CallMetrics, CallOutcome } from '../../ivr/calls/call-metrics';
import { IvrApp } from '../../ivr/calls/ivr-app';
import { ivrOptions } from '../../ivr/calls/ivr-options';
import { arg, freshDatabase } from '../support/databases';
import { startSimHere, startSimThread } from './sim-thread';

const CALLS = Number(arg('calls', '500'));
const SPEED = Number(arg('speed', '5'));
const TALK_S = Number(arg('talk', '30'));
const KIND = arg('db', 'sqlite') as 'sqlite' | 'pg';
const POOL = arg('pool', '');
const GROUP_COMMIT = arg('group-commit', 'on') !== 'off';
const PIPELINED = arg('pipelined', '');
const ARI_REQUESTS = arg('ari-requests', '');
const SIM_THREAD = arg('sim-thread', 'on') !== 'off';
const RICH_MINOR = 10_000;
const POOR_MINOR = 30;

class CountingMetrics implements CallMetrics {
  active = 0;
  peak = 0;
  readonly outcomes = new Map<CallOutcome, number>();
  billed_s = 0;
  sessionStarted(): void { this.active++; this.peak = Math.max(this.peak, this.active); }
  sessionEnded(): void { this.active--; }
  callEnded(o: CallOutcome, billed_s: number): void {
    this.outcomes.set(o, (this.outcomes.get(o) ?? 0) + 1);
    this.billed_s += billed_s;
  }
}


async function main(): Promise<void> {
  const dbh = await freshDatabase(KIND);
  const db = openDatabase(dbh.url, { ...(POOL ? { poolSize: Number(POOL) } : {}), ...(PIPELINED ? { pipelined: Number(PIPELINED) } : {}), groupCommit: GROUP_COMMIT });
  const billing = new Billing(db, new SecretHasher('bench-secret-key-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY);
  await importDeck(db, 'default', 'USD', [
    { prefix: '1', destination: 'USA', rate_per_minute_scaled: 60 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 1, increment_s: 1, min_charge_minor: 0, blocked: false },
  ], Date.now());
  const cardCount = Math.ceil(CALLS / 2);
  const cards: Array<{ number: string; pin: string }> = [];
  for (let i = 0; i < cardCount; i++) cards.push(await billing.issueCard({ value_minor: i % 2 === 0 ? RICH_MINOR : POOR_MINOR, currency: 'USD' }));

  const setup = { speed: SPEED, talk_s: TALK_S, calls: CALLS, cards };
  const stand = SIM_THREAD ? await startSimThread(setup) : await startSimHere(setup);
  const url = stand.url;
  const tel = new AriTelephony({ restTimeout_ms: 10_000, ...(ARI_REQUESTS ? { maxRequestsInFlight: Number(ARI_REQUESTS) } : {}) });
  await tel.connect({ url, user: 'bench', password: 'bench', app: 'prepaid' });
  const metrics = new CountingMetrics();
  const options = ivrOptions({ languages: ['en'], clock: scaledCallClock(SPEED), chunk_s: 10, reserveAhead_s: 5, nodeId: 'bench', ringTimeout_s: 30 });
  const log = new MemoryLogger();
  const ivr = new IvrApp({ tel, billing, options, log, metrics });
  await ivr.start();

  // How long the main thread's event loop (the IVR and the driver; the simulator too with --sim-thread off) kept ready work waiting.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const pgDb = db instanceof PostgresDatabase ? db : undefined;
  const work0 = pgDb && { ...pgDb.stats, grouped: pgDb.groupCommit?.stats.statements ?? 0 };
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const lat = await stand.run();
  await ivr.idle();
  const wall_s = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const work = pgDb && work0 && { transactions: pgDb.stats.transactions - work0.transactions, statements: pgDb.stats.statements - work0.statements, grouped: (pgDb.groupCommit?.stats.statements ?? 0) - work0.grouped };
  loopDelay.disable();

  const report = await verifyLedger(db);
  const over = await db.all('SELECT id FROM cards WHERE balance_minor < pending_minor OR balance_minor < 0');
  const pending = await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM holds WHERE status = 'pending'");
  const active = await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM call_records WHERE status = 'active'");
  const causes = await db.all<{ cause: string; n: number; billed: number }>('SELECT hangup_cause AS cause, COUNT(*) AS n, MAX(billed_seconds) AS billed FROM call_records GROUP BY hangup_cause ORDER BY hangup_cause');
  const funded = await db.one<{ n: number }>("SELECT COUNT(*) AS n FROM call_records r JOIN cards c ON c.id = r.card_id WHERE r.hangup_cause = 'cut_off' AND c.balance_minor >= 100");
  const outcomes = Object.fromEntries(metrics.outcomes);
  console.log(`bench/calls: ${CALLS} calls on ${cardCount} cards, ${KIND}, simulator speed ×${SPEED}, ${TALK_S} s talk (cards with 30 ¢ shared by two calls are cut off)`);
  console.log(`  peak concurrent sessions ${metrics.peak}; wall ${wall_s.toFixed(1)} s; outcomes ${JSON.stringify(outcomes)}; billed ${(metrics.billed_s / 60).toFixed(1)} min`);
  const warnings = new Map<string, number>();
  for (const l of log.lines) {
    if (l.level !== 'warn' && l.level !== 'error') continue;
    // A failed step says why (its `error` field): grouped by both, so a timeout and a refusal differ.
    const key = typeof l.fields.error === 'string' ? `${l.message}: ${l.fields.error}` : l.message;
    warnings.set(key, (warnings.get(key) ?? 0) + 1);
  }
  console.log(`  IVR warnings/errors: ${warnings.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(warnings))}`);
  const http = lat.http;
  console.log(`  ARI HTTP connections (Asterisk's limit: 100 at once): peak ${http.peak}, closed unanswered for being beyond the limit ${http.refused}`);
  if (process.env.BENCH_DEBUG) for (const l of log.lines.filter((x) => x.level === "error").slice(0, 5)) console.log(JSON.stringify(l));
  console.log(`  call records by hang-up cause: ${causes.map((c) => `${c.cause} ${Number(c.n)} (max ${Number(c.billed)} s)`).join(', ')}`);
  console.log(`  funded calls cut off (card still had ≥ $1 after): ${Number(funded?.n ?? 0)} (goal: zero)`);
  for (const l of lat.lines) console.log(l);
  console.log(`  event loop delay: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms (the main thread's own queueing, part of every figure above)`);
  console.log(`  CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all = ${((cpu.user + cpu.system) / 1000 / CALLS).toFixed(1)} ms per call (IVR + simulator + database driver, one process)`);
  // Statements counts every one sent (those of transactions with their BEGIN and COMMIT, the group-committed ones, reads).
  if (work) console.log(`  PostgreSQL per call: ${(work.transactions / CALLS).toFixed(2)} transactions of their own, ${(work.grouped / CALLS).toFixed(2)} group-committed statements, ${(work.statements / CALLS).toFixed(2)} statements in all`);
  console.log(`  overdraft: verifyLedger ${report.ok ? 'ok' : `${report.violations.length} violation(s)`}; cards with balance < pending: ${over.length}; holds left pending: ${Number(pending?.n ?? 0)}; call records left active: ${Number(active?.n ?? 0)} (goal: all zero)`);

  await ivr.stop();
  await tel.close();
  await stand.stop();
  await db.close();
  await dbh.drop();
  if (!report.ok || over.length > 0 || Number(pending?.n ?? 0) > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
