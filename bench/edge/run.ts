/**
 * bench/edge — outbound calls through the SIP edge: an Asterisk node's INVITE → the edge (real drachtio-srf,
 * through the drachtio-server double) → billing.routing.rank() over 5 carriers × 300,000 buy prefixes →
 * B2BUA to the first carrier → answered → BYE. Prints calls/s and the routing latency (p50/p99/max: from
 * the node's INVITE on the wire to the carrier's INVITE on the wire), and the same for a CEILING measured in
 * the same run: the identical pipeline with a ranking that costs nothing (a precomputed answer).
 *   npx tsx bench/edge/run.ts [--calls 3000] [--concurrency 20] [--prefixes 300000] [--carriers 5] [--routing billing|index]
 * `--routing billing` (default) loads the decks into the billing core on SQLite (a sell deck, 5 carriers and
 * their buy decks) and routes with billing.routing: rank (its in-memory deck index), recordAttempt and
 * setCallCarrier on a call record per call, as in production. `--routing index` ranks with a plain in-memory
 * index of the same decks instead (no database). The ceiling has no database either.
 */
import { Registry } from 'prom-client';
import { Billing } from '../../billing/billing';
import { insertCallRecord, updateCallRecord } from '../../billing/calls/call-records';
import { SecretHasher } from '../../billing/cards/secrets';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { DEFAULT_POLICY } from '../../billing/shared/context';
import { openDatabase } from '../../billing/store/sql/open';
import { systemClock } from '../../billing/shared/clock';
import { silentLogger } from '../../billing/shared/logger';
import type { EdgeCarriers, EdgeRouting } from '../../edge/edge-deps';
import type { EdgeConfig } from '../../edge/edge-config';
import { EDGE_DEFAULTS } from '../../edge/edge-config';
import type { Carrier, RouteAttempt, RouteCandidate, RouteRanking } from '../../edge/routing-contract';
import { SipEdge } from '../../edge/sip-edge';
import { DrachtioServerDouble } from '../../test/doubles/drachtio/drachtio-double';
import { answers, ScriptedCaller, ScriptedUas } from '../../test/doubles/drachtio/peers';
import { getHeader, userOf } from '../../test/doubles/drachtio/sip-message';
import { arg, freshDatabase } from '../support/databases';

const CALLS = Number(arg('calls', '3000'));
const CONCURRENCY = Number(arg('concurrency', '20'));
const PREFIXES = Number(arg('prefixes', '300000'));
const CARRIERS = Number(arg('carriers', '5'));
const ROUTING = arg('routing', 'billing');

const EDGE_SIP = { host: '192.0.2.1', port: 5060 };
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Deterministic pseudo-random digits (the same decks every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Deck { carrier: Carrier; prefixes: Map<string, number> }

/** 5 carriers' buy decks: PREFIXES distinct prefixes each (2–8 digits), rates in scaled units. */
export function generateDecks(): Deck[] {
  const decks: Deck[] = [];
  for (let c = 0; c < CARRIERS; c++) {
    const next = rng(1000 + c);
    const prefixes = new Map<string, number>();
    while (prefixes.size < PREFIXES) {
      const len = 2 + Math.floor(next() * 7);
      let p = String(1 + Math.floor(next() * 9));
      while (p.length < len) p += String(Math.floor(next() * 10));
      prefixes.set(p, 50 + Math.floor(next() * 5000));
    }
    const carrier: Carrier = {
      id: c + 1, name: `carrier${c + 1}`, sip_uri: `sip:198.51.100.${10 + c}:5060`, transport: 'udp', tech_prefix: '', send_plus: c % 2 === 1,
      max_concurrent: null, cps: null, sources: [], enabled: true, priority: 0, allow_loss: true,
    };
    decks.push({ carrier, prefixes });
  }
  return decks;
}

/** The routing contract over in-memory decks: each carrier's longest matching prefix, cheapest first. */
class IndexedRouting implements EdgeRouting, EdgeCarriers {
  attempts = 0;
  constructor(private readonly decks: Deck[]) {}
  async list(): Promise<Carrier[]> { return this.decks.map((d) => d.carrier); }
  async rank(digits: string): Promise<RouteRanking> {
    const found: Array<{ deck: Deck; prefix: string; rate: number }> = [];
    for (const deck of this.decks) {
      for (let len = Math.min(digits.length, 8); len >= 1; len--) {
        const prefix = digits.slice(0, len);
        const rate = deck.prefixes.get(prefix);
        if (rate !== undefined) { found.push({ deck, prefix, rate }); break; }
      }
    }
    if (found.length === 0) return { ok: false, number: digits, reason: 'no_carrier', skipped: [] };
    found.sort((a, b) => a.rate - b.rate || a.deck.carrier.id - b.deck.carrier.id);
    const candidates: RouteCandidate[] = found.map((f, i) => ({
      order: i + 1, carrier: f.deck.carrier, prefix: f.prefix,
      buy: { rate_per_minute_scaled: f.rate, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60 },
      sell_rate_per_minute_scaled: 10_000, margin_per_minute_scaled: 10_000 - f.rate,
      dial_user: `${f.deck.carrier.tech_prefix}${f.deck.carrier.send_plus ? '+' : ''}${digits}`,
    }));
    return { ok: true, number: digits, sell_prefix: digits.slice(0, 1), currency: 'USD', candidates, skipped: [] };
  }
  async recordAttempt(_a: RouteAttempt): Promise<void> { this.attempts++; }
  async setCallCarrier(): Promise<void> {}
}

/** The ceiling: the same answer for every number, precomputed (ranking costs nothing). */
class ConstantRouting implements EdgeRouting, EdgeCarriers {
  constructor(private readonly ranking: (digits: string) => RouteRanking, private readonly carriers: Carrier[]) {}
  async list(): Promise<Carrier[]> { return this.carriers; }
  async rank(digits: string): Promise<RouteRanking> { return this.ranking(digits); }
  async recordAttempt(): Promise<void> {}
  async setCallCarrier(): Promise<void> {}
}

interface PhaseResult { name: string; calls: number; seconds: number; cps: number; p50: number; p99: number; max: number; failed: number }

async function phase(name: string, routing: EdgeRouting & EdgeCarriers, carriers: Carrier[], numbers: string[], concurrency: number): Promise<PhaseResult> {
  const double = new DrachtioServerDouble({ secret: 'bench', sip: EDGE_SIP, recordFrames: false });
  double.network.tracing = false;
  const admin = await double.start();
  const config: EdgeConfig = {
    drachtio: { host: admin.host, port: admin.port, secret: 'bench' },
    nodes: [{ host: '10.0.0.5', port: 5060, weight: 1 }],
    accessNumbers: [],
    outbound: { ...EDGE_DEFAULTS.outbound },
    inbound: { ...EDGE_DEFAULTS.inbound },
    health: { ...EDGE_DEFAULTS.health, interval_ms: 60_000 },
    reconnectMaxDelay_ms: 1000,
    carriersRefresh_ms: 600_000,
  };
  const edge = new SipEdge({ routing, carriers: routing, clock: systemClock, logger: silentLogger, metrics: new Registry(), config });
  await edge.start();
  while (!edge.ready) await new Promise((r) => setTimeout(r, 10));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const gateways = carriers.map((c, i) => {
    const uas = new ScriptedUas(double.network, { host: `198.51.100.${10 + i}`, port: 5060 }, EDGE_SIP, { invite: answers.answer({ ring_ms: null, answer_ms: 0 }) });
    uas.keepReceived = false;
    uas.forgetEnded = true;
    uas.onReceived = (msg, hr) => {
      if (msg.kind !== 'request' || msg.method !== 'INVITE' || getHeader(msg, 'to')?.includes('tag=')) return;
      const user = (userOf(msg.uri) ?? '').replace(/^\+/, '');
      const t0 = sentAt.get(user);
      if (t0 !== undefined) { latencies.push(hr - t0); sentAt.delete(user); }
    };
    return uas.start();
  });
  const node = new ScriptedCaller(double.network, { host: '10.0.0.5', port: 5062 }, EDGE_SIP);
  node.keepReceived = false;
  node.start();
  let failed = 0;
  let nextIndex = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = nextIndex++;
      if (i >= numbers.length) return;
      const number = numbers[i] as string;
      sentAt.set(number, performance.now());
      const call = node.call({ to: number, headers: [['X-Prepaid-Call-Id', `bench-${i}`]] });
      const final = await call.finalResponse(10_000).catch(() => undefined);
      if (final?.status !== 200) { failed++; sentAt.delete(number); node.forget(call.callId); continue; }
      call.bye();
      await node.waitFor((m) => m.kind === 'response' && getHeader(m, 'call-id') === call.callId && getHeader(m, 'cseq') === '2 BYE', 10_000, 'BYE answered').catch(() => { failed++; });
      node.forget(call.callId);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  await edge.stop();
  for (const g of gateways) g.stop();
  node.stop();
  await double.stop();
  latencies.sort((a, b) => a - b);
  return { name, calls: numbers.length, seconds, cps: numbers.length / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), max: latencies.at(-1) ?? NaN, failed };
}

/** The decks in the billing core (SQLite): sell deck, carriers, buy decks; a card and a call record per dialled number. */
async function billingRouting(decks: Deck[], numbers: string[]): Promise<{ routing: EdgeRouting & EdgeCarriers; carriers: Carrier[]; close(): Promise<void> }> {
  const fresh = await freshDatabase('sqlite');
  const db = openDatabase(fresh.url);
  const billing = new Billing(db, new SecretHasher('bench-secret-0123456789abcdef0123456789'), systemClock, DEFAULT_POLICY);
  const t0 = performance.now();
  const rate = (prefix: string, scaled: number): Rate => ({ prefix, destination: `Destination ${prefix.slice(0, 2)}`, rate_per_minute_scaled: scaled, connect_fee_minor: 0, initial_increment_s: 6, increment_s: 6, min_charge_minor: 0, blocked: false });
  await importDeck(db, 'default', 'USD', ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((p) => rate(p, 100 * RATE_SCALE)), Date.now());
  const carriers: Carrier[] = [];
  for (const d of decks) {
    const c = await billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name: d.carrier.name, sip_uri: d.carrier.sip_uri, send_plus: d.carrier.send_plus }));
    await importCarrierDeck(db, c.id, 'USD', [...d.prefixes].map(([p, r]) => rate(p, r)), Date.now());
    carriers.push(c);
  }
  await billing.routing.warm();
  const card = await billing.issueCard({ value_minor: 1_000_000_00, currency: 'USD' });
  await billing.tx(async (ctx) => {
    for (const [i, n] of numbers.entries()) {
      await insertCallRecord(ctx.q, { id: `bench-${i}`, card_id: card.card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: ctx.now_ms });
      await updateCallRecord(ctx.q, `bench-${i}`, { destination: n, currency: 'USD' });
    }
  });
  console.log(`billing (SQLite): ${decks.length} buy decks + a sell deck imported, index warmed and ${numbers.length} call records opened in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { routing: { rank: (d) => billing.routing.rank(d), recordAttempt: (a) => billing.routing.recordAttempt(a), setCallCarrier: (c, id) => billing.routing.setCallCarrier(c, id), list: () => billing.carriers.list() }, carriers, close: async () => { await db.close(); await fresh.drop(); } };
}

async function main(): Promise<void> {
  if (ROUTING !== 'index' && ROUTING !== 'billing') throw new Error(`--routing ${ROUTING}: expected billing or index`);
  const tGen = performance.now();
  const decks = generateDecks();
  console.log(`decks: ${CARRIERS} carriers × ${PREFIXES.toLocaleString('en')} prefixes generated in ${((performance.now() - tGen) / 1000).toFixed(1)} s`);
  const indexed = new IndexedRouting(decks);
  // Dialled numbers: unique, each starting with some carrier's prefix (so every call has a route).
  const next = rng(7);
  const all = [...(decks[0]?.prefixes.keys() ?? [])];
  const numbers: string[] = [];
  const seen = new Set<string>();
  while (numbers.length < CALLS) {
    let n = all[Math.floor(next() * all.length)] ?? '1';
    while (n.length < 11) n += String(Math.floor(next() * 10));
    if (!seen.has(n)) { seen.add(n); numbers.push(n); }
  }
  const fixed = await indexed.rank(numbers[0] as string);
  const ceilingRouting = new ConstantRouting((digits) => (fixed.ok ? { ...fixed, number: digits, candidates: fixed.candidates.map((c) => ({ ...c, dial_user: `${c.carrier.send_plus ? '+' : ''}${digits}` })) } : fixed), decks.map((d) => d.carrier));
  const real = ROUTING === 'billing' ? await billingRouting(decks, numbers) : { routing: indexed, carriers: decks.map((d) => d.carrier), close: async () => {} };
  const routing = real.routing;
  const tRank = performance.now();
  for (let i = 0; i < 20_000; i++) await routing.rank(numbers[i % numbers.length] as string);
  const rankUs = ((performance.now() - tRank) / 20_000) * 1000;
  console.log(`ranking alone (${ROUTING === 'billing' ? 'billing.routing.rank' : 'plain index'}, in-process, no SIP): ${rankUs.toFixed(1)} µs per number`);
  const carriers = real.carriers;
  const sequential = numbers.slice(0, Math.min(300, numbers.length));
  const what = ROUTING === 'billing' ? 'edge + billing routing' : 'edge + plain index';
  const results = [
    await phase('ceiling, one call at a time', ceilingRouting, carriers, sequential, 1),
    await phase(`${what}, one call at a time`, routing, carriers, sequential, 1),
    await phase(`ceiling, ${CONCURRENCY} calls at a time`, ceilingRouting, carriers, numbers, CONCURRENCY),
    await phase(`${what} over ${CARRIERS}×${PREFIXES.toLocaleString('en')} prefixes, ${CONCURRENCY} at a time`, routing, carriers, numbers, CONCURRENCY),
  ];
  await real.close();
  for (const r of results) {
    console.log(`${r.name}: ${r.calls} calls in ${r.seconds.toFixed(1)} s = ${r.cps.toFixed(0)} calls/s; routing latency p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms; failed ${r.failed}`);
  }
  const [c1, r1, cN, rN] = results as [PhaseResult, PhaseResult, PhaseResult, PhaseResult];
  console.log(`ratio to the ceiling: one at a time ${(r1.cps / c1.cps).toFixed(2)} calls/s, p99 ${(r1.p99 / c1.p99).toFixed(2)}×; ${CONCURRENCY} at a time ${(rN.cps / cN.cps).toFixed(2)} calls/s, p99 ${(rN.p99 / cN.p99).toFixed(2)}×`);
  console.log(`concurrency ${CONCURRENCY}; one process: edge + drachtio-srf + the double + peers (a real drachtio-server would carry the SIP side)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
