import { expect } from 'chai';
import { CallMetering } from '../../billing/calls/call-metering';
import { callRecordById, insertCallRecord, updateCallRecord } from '../../billing/calls/call-records';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { importDeck, lookupRate } from '../../billing/rating/rate-store';
import type { MarginLine } from '../../billing/reports/margin-report';
import { marginReport } from '../../billing/reports/margin-report';
import type { AttemptOutcome } from '../../billing/routing/route-types';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/**
 * Calls placed through the real metering (holds, captures, settlement) with route attempts and
 * winning carriers recorded through billing.routing, then the margin report — checked against
 * numbers this test computes itself, in exact rational arithmetic from the decks' own text.
 */

/** A deck row as an operator writes it: rate per minute and fees as decimal text. */
interface Row { prefix: string; destination: string; per_minute: string; connect: string; initial: number; increment: number; minimum: string }
const SELL: Row[] = [
  { prefix: '44', destination: 'United Kingdom', per_minute: '0.1000', connect: '0.05', initial: 30, increment: 6, minimum: '0.00' },
  { prefix: '1', destination: 'North America', per_minute: '0.0200', connect: '0.00', initial: 6, increment: 6, minimum: '0.00' },
];
const BUY: Record<string, Row[]> = {
  alpha: [
    { prefix: '44', destination: 'UK', per_minute: '0.0310', connect: '0.00', initial: 1, increment: 1, minimum: '0.00' },
    { prefix: '1', destination: 'US', per_minute: '0.0100', connect: '0.00', initial: 60, increment: 60, minimum: '0.02' },
  ],
  bravo: [
    { prefix: '4', destination: 'Europe', per_minute: '0.0400', connect: '0.01', initial: 60, increment: 60, minimum: '0.00' },
    { prefix: '1', destination: 'US', per_minute: '0.0120', connect: '0.00', initial: 6, increment: 6, minimum: '0.00' },
  ],
};

/** "0.0310" → 310 ten-thousandths; "0.05" → 5 cents. */
const tenThousandths = (text: string) => BigInt(text.replace('.', '').replace(/^0+(?=\d)/, '')) * 10n ** BigInt(4 - (text.split('.')[1] ?? '').length);
const cents = (text: string) => Number(BigInt(text.replace('.', '')) * 10n ** BigInt(2 - (text.split('.')[1] ?? '').length));

/**
 * The price of `talk_s` seconds on `row`, computed here from scratch: whole seconds rounded up to the
 * first block then to increments; usage = per_minute × seconds / 60 in exact fractions of a dollar,
 * rounded UP to a whole cent once; connect fee added; the minimum applied.
 */
function price(row: Row, talk_s: number): number {
  if (talk_s <= 0) return 0;
  const s = Math.ceil(talk_s);
  const billed = s <= row.initial ? row.initial : row.initial + Math.ceil((s - row.initial) / row.increment) * row.increment;
  // dollars = per_minute(×10^4) × billed / 60 / 10^4  →  cents = per_minute(×10^4) × billed / (60 × 100)
  const num = tenThousandths(row.per_minute) * BigInt(billed);
  const den = 6000n;
  const usage = Number((num + den - 1n) / den);
  return Math.max(cents(row.minimum), cents(row.connect) + usage);
}
const longest = (rows: Row[], n: string) => rows.filter((r) => n.startsWith(r.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0] as Row;

const toRate = (r: Row): Rate => ({
  prefix: r.prefix, destination: r.destination, rate_per_minute_scaled: Number(tenThousandths(r.per_minute)) * 100, connect_fee_minor: cents(r.connect),
  initial_increment_s: r.initial, increment_s: r.increment, min_charge_minor: cents(r.minimum), blocked: false,
});

interface Attempt { carrier: 'alpha' | 'bravo'; outcome: AttemptOutcome; sip: number | null }
interface CallSpec {
  number: string;
  /** null: not answered. */
  talk_s: number | null;
  carrier: 'alpha' | 'bravo' | null;
  /** The edge names the winner before the IVR settles the call (or after). */
  carrierFirst?: boolean;
  attempts: Attempt[];
  day?: number;
}

const DAY = 86_400_000;
const JAN_10 = Date.UTC(2026, 0, 10);
const CALLS: CallSpec[] = [
  { number: '447700900123', talk_s: 95.4, carrier: 'alpha', carrierFirst: true, attempts: [{ carrier: 'alpha', outcome: 'answered', sip: 200 }] },
  { number: '442071234567', talk_s: 61, carrier: 'bravo', carrierFirst: false, attempts: [{ carrier: 'alpha', outcome: 'failed', sip: 503 }, { carrier: 'bravo', outcome: 'answered', sip: 200 }] },
  { number: '12125550123', talk_s: 7, carrier: 'alpha', carrierFirst: true, attempts: [{ carrier: 'bravo', outcome: 'timeout', sip: null }, { carrier: 'alpha', outcome: 'answered', sip: 200 }] },
  { number: '13105550100', talk_s: null, carrier: null, attempts: [{ carrier: 'alpha', outcome: 'failed', sip: 486 }] },
  { number: '447911123456', talk_s: 200, carrier: 'bravo', carrierFirst: true, attempts: [{ carrier: 'bravo', outcome: 'skipped_capacity', sip: null }, { carrier: 'bravo', outcome: 'answered', sip: 200 }] },
  { number: '442079460000', talk_s: 30, carrier: null, attempts: [] }, // a direct trunk: no carrier named
  { number: '447700900999', talk_s: 120, carrier: 'alpha', carrierFirst: true, attempts: [{ carrier: 'alpha', outcome: 'answered', sip: 200 }], day: -30 }, // outside the period
];

for (const kind of KINDS) {
  describe(`margin report over recorded calls (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    const carrierIds: Record<string, number> = {};
    const ids: string[] = [];

    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      await importDeck(t.billing.db, 'default', 'USD', SELL.map(toRate), t.clock.ms);
      for (const name of ['alpha', 'bravo']) {
        const c = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name, sip_uri: `sip:${name}.example.net` }));
        carrierIds[name] = c.id;
        await importCarrierDeck(t.billing.db, c.id, 'USD', (BUY[name] as Row[]).map(toRate), t.clock.ms);
      }
      const card = await t.billing.issueCard({ value_minor: 100_00, currency: 'USD' });
      for (const [i, spec] of CALLS.entries()) {
        const id = `call_${kind}_${i + 1}`;
        ids.push(id);
        const started = JAN_10 + (spec.day ?? 0) * DAY + i * 600_000;
        const sell = await lookupRate(t.billing.db, spec.number);
        if (!sell) throw new Error('sell rate');
        await t.billing.tx(async (ctx) => {
          await insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: null, access_number: null, channel_id: null, started_at_ms: started });
          await updateCallRecord(ctx.q, id, { destination: spec.number, destination_name: sell.destination, currency: 'USD', rate: sell });
        });
        const m = new CallMetering(t.billing, id, card.card_id, 'USD', sell, 60);
        expect((await m.extend()).ok).to.equal(true);
        let at = started;
        for (const [k, a] of spec.attempts.entries()) {
          await t.billing.routing.recordAttempt({ call_id: id, carrier_id: carrierIds[a.carrier] as number, order: k + 1, started_at_ms: at, ended_at_ms: at + 3000, sip_status: a.sip, outcome: a.outcome });
          at += 3000;
        }
        if (spec.talk_s === null) {
          await m.finish(0, { hangup_cause: 'BUSY', answered_at_ms: null, ended_at_ms: at, status: 'failed' });
          continue;
        }
        if (spec.carrier && spec.carrierFirst) await t.billing.routing.setCallCarrier(id, carrierIds[spec.carrier] as number);
        while (m.limit_s < spec.talk_s) expect(await m.extend()).to.deep.equal({ ok: true, value: true });
        await m.captureElapsed(Math.floor(spec.talk_s));
        await m.finish(spec.talk_s, { hangup_cause: 'normal', answered_at_ms: at, ended_at_ms: at + Math.round(spec.talk_s * 1000), status: 'completed' });
        if (spec.carrier && !spec.carrierFirst) await t.billing.routing.setCallCarrier(id, carrierIds[spec.carrier] as number);
      }
      // An inbound attempt (no call id): counts for its carrier, and as destination "unknown".
      await t.billing.routing.recordAttempt({ call_id: null, carrier_id: carrierIds.bravo as number, order: 1, started_at_ms: JAN_10, ended_at_ms: JAN_10 + 100, sip_status: 404, outcome: 'failed' });
    });
    after(async () => t?.close());

    it('puts the price of the anchor call where a hand computation puts it', () => {
      // 95.4 s on UK sell 0.10/min, 30/6, connect 0.05: 96 s billed → 16 c + 5 c = 21 c.
      expect(price(SELL[0] as Row, 95.4)).to.equal(21);
      // The same talk time on alpha's 44 at 0.031/min, 1/1: 96 s → 4.96 c → 5 c.
      expect(price((BUY.alpha as Row[])[0] as Row, 95.4)).to.equal(5);
      // 7 s on alpha's 1 at 0.01/min, 60/60, minimum 0.02: 60 s → 1 c → the 2 c minimum.
      expect(price((BUY.alpha as Row[])[1] as Row, 7)).to.equal(2);
    });

    it('each settled call carries revenue and the buy cost at its carrier\'s increments, whichever came first', async () => {
      for (const [i, spec] of CALLS.entries()) {
        const r = await callRecordById(t.billing.db, ids[i] as string);
        const revenue = spec.talk_s === null ? 0 : price(longest(SELL, spec.number), spec.talk_s);
        const cost = spec.carrier && spec.talk_s !== null ? price(longest(BUY[spec.carrier] as Row[], spec.number), spec.talk_s) : null;
        expect({ cost: Number(r?.cost_minor), buy: r?.buy_cost_minor === null ? null : Number(r?.buy_cost_minor), carrier: r?.carrier_id === null ? null : Number(r?.carrier_id) }, spec.number)
          .to.deep.equal({ cost: revenue, buy: cost, carrier: spec.carrier ? carrierIds[spec.carrier] : null });
      }
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    /** What the report must say, derived from CALLS alone. */
    function expected(by: 'carrier' | 'destination'): MarginLine[] {
      const inRange = CALLS.map((c, i) => ({ c, i })).filter(({ c }) => !c.day);
      const keyOf = (c: CallSpec, carrier: string) => (by === 'carrier' ? carrier : longest(SELL, c.number).destination);
      const lines = new Map<string, MarginLine>();
      const line = (key: string) => {
        let l = lines.get(key);
        if (!l) {
          l = { key, currency: null, calls: 0, talk_ms: 0, billed_seconds: 0, revenue_minor: 0, cost_minor: 0, margin_minor: 0, uncosted_calls: 0, attempts: 0, answered_attempts: 0, asr: null, acd_s: null };
          lines.set(key, l);
        }
        return l;
      };
      for (const { c } of inRange) {
        for (const a of c.attempts) {
          if (a.outcome === 'skipped_capacity') continue;
          const l = line(keyOf(c, a.carrier));
          l.attempts++;
          if (a.outcome === 'answered') l.answered_attempts++;
        }
        if (!c.carrier || c.talk_s === null) continue;
        const l = line(keyOf(c, c.carrier));
        const sell = longest(SELL, c.number);
        const billed = Math.ceil(c.talk_s) <= sell.initial ? sell.initial : sell.initial + Math.ceil((Math.ceil(c.talk_s) - sell.initial) / sell.increment) * sell.increment;
        l.currency = 'USD';
        l.calls++;
        l.talk_ms += Math.round(c.talk_s * 1000);
        l.billed_seconds += billed;
        l.revenue_minor += price(sell, c.talk_s);
        l.cost_minor += price(longest(BUY[c.carrier] as Row[], c.number), c.talk_s);
      }
      // The inbound attempt.
      const inbound = line(by === 'carrier' ? 'bravo' : 'unknown');
      inbound.attempts++;
      for (const l of lines.values()) {
        l.margin_minor = l.revenue_minor - l.cost_minor;
        l.asr = l.attempts ? Math.round((l.answered_attempts / l.attempts) * 1e4) / 1e4 : null;
        l.acd_s = l.calls ? Math.round((l.talk_ms / 1000 / l.calls) * 10) / 10 : null;
      }
      return [...lines.values()].sort((a, b) => b.revenue_minor - a.revenue_minor || a.key.localeCompare(b.key));
    }

    for (const by of ['carrier', 'destination'] as const) {
      it(`by ${by}: calls, minutes, revenue, cost, margin, ASR and ACD as computed from the calls`, async () => {
        const report = await marginReport(t.billing.db, { from_ms: JAN_10, to_ms: JAN_10 + DAY }, by);
        const want = expected(by);
        expect(report.lines).to.deep.equal(want);
        const priced = want.filter((l) => l.currency);
        expect(report.totals).to.deep.equal([{
          currency: 'USD', calls: priced.reduce((n, l) => n + l.calls, 0), talk_ms: priced.reduce((n, l) => n + l.talk_ms, 0),
          revenue_minor: priced.reduce((n, l) => n + l.revenue_minor, 0), cost_minor: priced.reduce((n, l) => n + l.cost_minor, 0),
          margin_minor: priced.reduce((n, l) => n + l.margin_minor, 0), uncosted_calls: 0,
          acd_s: Math.round((priced.reduce((n, l) => n + l.talk_ms, 0) / 1000 / priced.reduce((n, l) => n + l.calls, 0)) * 10) / 10,
        }]);
        expect(report.without_carrier).to.deep.equal([{ currency: 'USD', calls: 1, revenue_minor: price(SELL[0] as Row, 30) }]);
        expect(report.attempts).to.deep.equal({ attempts: 8, answered_attempts: 4, asr: 0.5 });
      });
    }

    it('an empty period reports nothing', async () => {
      const report = await marginReport(t.billing.db, { from_ms: JAN_10 + 5 * DAY, to_ms: JAN_10 + 6 * DAY }, 'carrier');
      expect(report).to.deep.equal({ by: 'carrier', lines: [], totals: [], attempts: { attempts: 0, answered_attempts: 0, asr: null }, without_carrier: [] });
    });
  });
}
