import { expect } from 'chai';
import type { CarrierInput } from '../../billing/carriers/carrier';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier, updateCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck } from '../../billing/rating/rate-store';
import { DeckIndexBuilder, prefixKeys } from '../../billing/routing/deck-index';
import { IndexedRouteLookup } from '../../billing/routing/indexed-route-lookup';
import type { RouteRanking } from '../../billing/routing/route-types';
import { Routing } from '../../billing/routing/routing';
import { SqlRouteLookup } from '../../billing/routing/sql-route-lookup';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

/**
 * The routing policy as a table, on SQLite and PostgreSQL, through both lookups (the in-memory deck
 * index the edge uses, and one SQL statement per ranking): longest prefix per carrier, ties (rate →
 * priority → name), no candidate, loss guard (and allow_loss), disabled carrier, blocked and
 * unpriced destinations, a carrier blocking a destination, a buy deck in another currency.
 */
const perMin = (text: string): number => Math.round(Number(text) * 100 * RATE_SCALE); // "0.05" USD/min → scaled minor units
const rate = (prefix: string, per_minute: string, over: Partial<Rate> = {}): Rate => ({
  prefix, destination: `dest ${prefix}`, rate_per_minute_scaled: perMin(per_minute), connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...over,
});
const carrier = (name: string, over: Partial<CarrierInput> = {}): CarrierInput => ({ ...CARRIER_DEFAULTS, name, sip_uri: `sip:${name}.example.net:5060`, ...over });

const SELL: Rate[] = [
  rate('1', '0.02'), rate('1900', '0.50', { blocked: true }), rate('33', '0.03'), rate('39', '0.02'),
  rate('44', '0.05'), rate('447', '0.10'), rate('49', '0.04'),
];
const CARRIERS: Array<{ c: CarrierInput; deck?: Rate[]; currency?: string }> = [
  { c: carrier('alpha'), deck: [rate('1', '0.01'), rate('33', '0.04'), rate('39', '0.02'), rate('44', '0.03'), rate('447', '0.06')] },
  { c: carrier('bravo', { tech_prefix: '99', send_plus: true }), deck: [rate('1', '0.01'), rate('4', '0.03'), rate('4477', '0.05'), rate('49', '0.01', { blocked: true })] },
  { c: carrier('charlie', { priority: -1, allow_loss: true }), deck: [rate('1', '0.01', { connect_fee_minor: 2, initial_increment_s: 30, increment_s: 6 }), rate('33', '0.05'), rate('39', '0.03')] },
  { c: carrier('delta', { enabled: false }), deck: [rate('44', '0.001'), rate('1', '0.001')] },
  { c: carrier('echo') },
  { c: carrier('foxtrot'), deck: [rate('44', '0.0001')], currency: 'EUR' },
];

/** A ranking as one readable line per candidate / skip: "name@prefix rate margin dial_user" and "name:reason@prefix". */
function summary(r: RouteRanking): { ok: boolean; reason?: string; sell?: string; candidates?: string[]; skipped: string[] } {
  const skipped = r.skipped.map((s) => `${s.carrier.name}:${s.reason}${s.prefix ? `@${s.prefix}` : ''}`);
  if (!r.ok) return { ok: false, reason: r.reason, skipped };
  return {
    ok: true,
    sell: `${r.sell_prefix} ${r.currency}`,
    candidates: r.candidates.map((c) => `${c.order}.${c.carrier.name}@${c.prefix} buy ${c.buy.rate_per_minute_scaled} margin ${c.margin_per_minute_scaled} dial ${c.dial_user}`),
    skipped,
  };
}

const NOT_CANDIDATES_UK = ['charlie:no_prefix', 'delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'];

const TABLE: Array<{ why: string; number: string; expect: ReturnType<typeof summary> }> = [
  {
    why: 'longest prefix per carrier: alpha 447, bravo 4477 (not its 4); cheaper first; disabled, deckless, other-currency carriers skipped',
    number: '447700900123',
    expect: { ok: true, sell: '447 USD', candidates: [`1.bravo@4477 buy ${perMin('0.05')} margin ${perMin('0.05')} dial 99+447700900123`, `2.alpha@447 buy ${perMin('0.06')} margin ${perMin('0.04')} dial 447700900123`], skipped: NOT_CANDIDATES_UK },
  },
  {
    why: 'tie on rate and priority: by name (alpha 44 before bravo 4)',
    number: '442071234567',
    expect: { ok: true, sell: '44 USD', candidates: [`1.alpha@44 buy ${perMin('0.03')} margin ${perMin('0.02')} dial 442071234567`, `2.bravo@4 buy ${perMin('0.03')} margin ${perMin('0.02')} dial 99+442071234567`], skipped: NOT_CANDIDATES_UK },
  },
  {
    why: 'tie on rate: static priority first (charlie −1), then name; connect fee and increments do not reorder',
    number: '12125550123',
    expect: {
      ok: true, sell: '1 USD',
      candidates: [`1.charlie@1 buy ${perMin('0.01')} margin ${perMin('0.01')} dial 12125550123`, `2.alpha@1 buy ${perMin('0.01')} margin ${perMin('0.01')} dial 12125550123`, `3.bravo@1 buy ${perMin('0.01')} margin ${perMin('0.01')} dial 99+12125550123`],
      skipped: ['delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'],
    },
  },
  { why: 'blocked in the sell deck: no route at all, carriers not even considered', number: '19005551234', expect: { ok: false, reason: 'blocked', skipped: [] } },
  { why: 'unpriced in the sell deck: no route at all', number: '8612345678', expect: { ok: false, reason: 'unpriced', skipped: [] } },
  {
    why: 'loss guard: alpha buys 0.04 > sells 0.03 and is skipped; charlie buys 0.05 but allows a loss',
    number: '33123456789',
    expect: { ok: true, sell: '33 USD', candidates: [`1.charlie@33 buy ${perMin('0.05')} margin ${-perMin('0.02')} dial 33123456789`], skipped: ['alpha:loss@33', 'bravo:no_prefix', 'delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'] },
  },
  {
    why: 'buy equal to sell is not a loss (margin 0)',
    number: '390612345678',
    expect: { ok: true, sell: '39 USD', candidates: [`1.alpha@39 buy ${perMin('0.02')} margin 0 dial 390612345678`, `2.charlie@39 buy ${perMin('0.03')} margin ${-perMin('0.01')} dial 390612345678`], skipped: ['bravo:no_prefix', 'delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'] },
  },
  {
    why: 'no candidate: the only match is blocked by the carrier (its longest prefix 49, not its 4)',
    number: '4930123456',
    expect: { ok: false, reason: 'no_carrier', skipped: ['alpha:no_prefix', 'bravo:blocked_by_carrier@49', 'charlie:no_prefix', 'delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'] },
  },
  { why: 'a number with a + is not E.164 digits', number: '+447700900123', expect: { ok: false, reason: 'invalid_number', skipped: [] } },
  { why: 'more than 15 digits', number: '4477009001234567', expect: { ok: false, reason: 'invalid_number', skipped: [] } },
  { why: 'empty', number: '', expect: { ok: false, reason: 'invalid_number', skipped: [] } },
];

describe('deck index (pure)', () => {
  const row = (prefix: string, rate_per_minute_scaled = 1) => ({ prefix, rate_per_minute_scaled, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, blocked: 0 });
  it('finds the longest prefix whatever order the rows came in, leading zeros and 15 digits included', () => {
    const prefixes = ['44', '447', '4477', '1', '19', '0044', '004', '999999999999999', '3', '31', '310'];
    for (const order of [prefixes, [...prefixes].reverse(), [...prefixes].sort()]) {
      const b = new DeckIndexBuilder(1, 'USD');
      for (const p of order) b.add(row(p, Number(`1${p.length}`)));
      const index = b.finish();
      const longest = (n: string) => index.match(n, prefixKeys(n))?.prefix;
      expect(['447700900123', '442071234567', '4', '0044123', '0049', '999999999999999', '3105551234', '3'].map(longest))
        .to.deep.equal(['4477', '44', undefined, '0044', '004', '999999999999999', '310', '3']);
      expect(index.size).to.equal(prefixes.length);
    }
  });
  it('refuses a prefix twice', () => {
    const b = new DeckIndexBuilder(1, 'USD');
    b.add(row('44'));
    b.add(row('1'));
    b.add(row('44'));
    expect(() => b.finish()).to.throw(/each prefix once/);
  });
});

for (const kind of KINDS) {
  describe(`least-cost routing (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    const ids = new Map<string, number>();
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      await importDeck(t.billing.db, 'default', 'USD', SELL, t.clock.ms);
      for (const { c, deck, currency } of CARRIERS) {
        const added = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, c));
        ids.set(c.name, added.id);
        if (deck) await importCarrierDeck(t.billing.db, added.id, currency ?? 'USD', deck, t.clock.ms);
      }
    });
    after(async () => t?.close());

    const lookups = {
      'in-memory index (billing.routing)': () => t.billing.routing,
      'one SQL statement per ranking': () => new Routing(t.billing.db, new SqlRouteLookup(t.billing.db)),
    };
    for (const [name, routing] of Object.entries(lookups)) {
      describe(name, () => {
        for (const row of TABLE) {
          it(`${row.number || '(empty)'}: ${row.why}`, async () => {
            expect(summary(await routing().rank(row.number))).to.deep.equal(row.expect);
          });
        }
      });
    }

    it('a candidate carries the whole Carrier and the buy terms of its prefix', async () => {
      const r = await t.billing.routing.rank('12125550123');
      expect(r.ok).to.equal(true);
      if (!r.ok) return;
      expect(r.candidates[0]).to.deep.equal({
        order: 1,
        carrier: { id: ids.get('charlie'), ...carrier('charlie', { priority: -1, allow_loss: true }) },
        prefix: '1',
        buy: { rate_per_minute_scaled: perMin('0.01'), connect_fee_minor: 2, initial_increment_s: 30, increment_s: 6 },
        sell_rate_per_minute_scaled: perMin('0.02'),
        margin_per_minute_scaled: perMin('0.01'),
        dial_user: '12125550123',
      });
    });

    it('both lookups agree on a thousand numbers drawn around the decks', async () => {
      const sql = new Routing(t.billing.db, new SqlRouteLookup(t.billing.db));
      const stems = ['1', '19', '1900', '33', '39', '4', '44', '447', '4477', '49', '8', '86', '2', '0', '9'];
      let seed = 7;
      const next = () => { // mulberry32
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return (x ^ (x >>> 14)) >>> 0;
      };
      for (let i = 0; i < 1000; i++) {
        const stem = stems[next() % stems.length] as string;
        let n = stem;
        const len = 1 + (next() % 15);
        while (n.length < len) n += String(next() % 10);
        expect(await t.billing.routing.rank(n), n).to.deep.equal(await sql.rank(n));
      }
    });

    // After the table (mocha runs a suite's own tests before its nested suites): these change the decks.
    describe('changes', () => {
      /** Freshness 'check' reads the epoch before every ranking: a committed change is seen by the very next ranking. */
      const strict = () => new Routing(t.billing.db, new IndexedRouteLookup(t.billing.db, { freshness: 'check' }));
      /** billing.routing ('notify' on PostgreSQL) sees it once the NOTIFY arrives: poll, bounded. */
      async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
        const deadline = Date.now() + 5_000;
        for (;;) {
          const v = await probe();
          if (ok(v) || Date.now() > deadline) return v;
          await new Promise((r) => setTimeout(r, 5));
        }
      }

      it('a change to a carrier, and a new buy deck, are seen by the next ranking (check) or once notified (notify)', async () => {
        const uk = '442071234567';
        const alpha = ids.get('alpha') as number;
        const routing = strict();
        await routing.rank(uk); // loaded before the change: the change must invalidate it
        await t.billing.routing.rank(uk);
        await t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, alpha, { enabled: false }));
        expect(summary(await routing.rank(uk)).skipped).to.include('alpha:disabled');
        expect(summary(await eventually(() => t.billing.routing.rank(uk), (r) => summary(r).skipped.includes('alpha:disabled'))).skipped).to.include('alpha:disabled');
        await t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, alpha, { enabled: true, priority: 5 }));
        const echo = ids.get('echo') as number;
        await importCarrierDeck(t.billing.db, echo, 'USD', [rate('44', '0.03')], t.clock.ms);
        // Now three carriers at 0.03 for 44: priority 0 (bravo, echo by name) before alpha's 5.
        const order = (r: RouteRanking) => summary(r).candidates?.map((c) => c.split(' ')[0]);
        expect(order(await routing.rank(uk))).to.deep.equal(['1.bravo@4', '2.echo@44', '3.alpha@44']);
        const sql = await new Routing(t.billing.db, new SqlRouteLookup(t.billing.db)).rank(uk);
        expect(await routing.rank(uk)).to.deep.equal(sql);
        expect(await eventually(() => t.billing.routing.rank(uk), (r) => order(r)?.length === 3)).to.deep.equal(sql);
        await t.billing.tx((ctx) => updateCarrier(ctx.q, ctx.now_ms, alpha, { priority: 0 }));
      });

      it('a new sell deck changes what is priced and blocked at once', async () => {
        const routing = strict();
        expect((await routing.rank('8612345678')).ok).to.equal(false);
        await importDeck(t.billing.db, 'default', 'USD', [...SELL.filter((r) => r.prefix !== '44'), rate('86', '0.02'), rate('44', '0.05', { blocked: true })], t.clock.ms);
        expect(summary(await routing.rank('8612345678'))).to.deep.equal({ ok: false, reason: 'no_carrier', skipped: ['alpha:no_prefix', 'bravo:no_prefix', 'charlie:no_prefix', 'delta:disabled', 'echo:no_prefix', 'foxtrot:no_prefix'] });
        expect(summary(await routing.rank('442071234567'))).to.deep.equal({ ok: false, reason: 'blocked', skipped: [] });
        expect(summary(await eventually(() => t.billing.routing.rank('442071234567'), (r) => !r.ok))).to.deep.equal({ ok: false, reason: 'blocked', skipped: [] });
        await importDeck(t.billing.db, 'default', 'USD', SELL, t.clock.ms);
        expect((await routing.rank('442071234567')).ok).to.equal(true);
      });

      it('rankings asked together share one deck check and all see the same state', async () => {
        const numbers = Array.from({ length: 200 }, (_, i) => (i % 2 ? '447700900123' : '12125550123'));
        const results = await Promise.all(numbers.map((n) => t.billing.routing.rank(n)));
        for (let i = 0; i < numbers.length; i++) expect(results[i]).to.deep.equal(results[i % 2]);
      });
    });
  });
}
