import { expect } from 'chai';
import { CallMeter, TIMER_TOLERANCE_S } from '../../billing/calls/call-meter';
import { CallMetering } from '../../billing/calls/call-metering';
import { insertCallRecord, callRecordById } from '../../billing/calls/call-records';
import { cardById } from '../../billing/cards/card-rows';
import { createMerchant } from '../../billing/merchants/merchants';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { authorize } from '../../billing/settlement/settlement';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';

const rate = (over: Partial<Rate> = {}): Rate => ({ prefix: '44', destination: 'UK', rate_per_minute_scaled: 10 * RATE_SCALE, connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...over });

describe('CallMeter.settle (pure)', () => {
  it('never bills less than the chunks already captured, whatever duration it is given', () => {
    const m = new CallMeter(rate(), 60);
    m.addChunk('h1', { from_s: 0, to_s: 60, amount_minor: 10 });
    m.addChunk('h2', { from_s: 60, to_s: 120, amount_minor: 10 });
    m.markCaptured('h1');
    m.markCaptured('h2');
    m.addChunk('h3', { from_s: 120, to_s: 180, amount_minor: 10 });
    // An end time learned late (e.g. after an outage) can fall before the captured time.
    expect(m.settle(30)).to.deep.equal({ billed_s: 120, cost_minor: 20, captures: [{ hold_id: 'h3', amount_minor: 0 }] });
    expect(m.settle(150).cost_minor).to.equal(30);
  });
});

describe('CallMeter.dueForCapture (pure): one timer tolerance', () => {
  it('a chunk whose end is within the tolerance is due (a wake-up 1 ms early), one further away is not', () => {
    const m = new CallMeter(rate({ initial_increment_s: 6, increment_s: 6 }), 5);
    m.addChunk('h1', { from_s: 0, to_s: 6, amount_minor: 1 });
    m.addChunk('h2', { from_s: 6, to_s: 12, amount_minor: 1 });
    const due = (elapsed_s: number): string[] => m.dueForCapture(elapsed_s).map((c) => c.hold_id);
    expect(TIMER_TOLERANCE_S).to.be.within(0.001, 0.5);
    expect(due(5.999)).to.deep.equal(['h1']);
    expect(due(6 - TIMER_TOLERANCE_S)).to.deep.equal(['h1']);
    expect(due(6 - TIMER_TOLERANCE_S - 0.001)).to.deep.equal([]);
    expect(due(11.999)).to.deep.equal(['h1', 'h2']);
    m.markCaptured('h1');
    expect(due(11.999)).to.deep.equal(['h2']);
    // Captured that early, a chunk bills exactly what the deck says for a call ending there (rounded up to 6 s).
    expect(m.settle(6 - TIMER_TOLERANCE_S)).to.deep.include({ billed_s: 6, cost_minor: 1 });
  });
});

for (const kind of KINDS) {
  describe(`real-time call metering (${kind})`, function () {
    this.timeout(60_000);
    let t: TestBilling;
    let n = 0;
    before(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
    });
    after(async () => t?.close());

    async function call(card_id: number, r: Rate, chunk_s = 60): Promise<CallMetering> {
      const id = `call_${kind}_${++n}`;
      await t.billing.tx((ctx) => insertCallRecord(ctx.q, { id, card_id, caller_number: '+15550001', access_number: '8000', channel_id: null, started_at_ms: ctx.now_ms }));
      return new CallMetering(t.billing, id, card_id, 'USD', r, chunk_s);
    }
    /** Plays the metering loop the IVR runs: reserve ahead, capture elapsed chunks, stop at the limit or at `hangup_s`. */
    async function run(m: CallMetering, hangup_s: number, during?: (s: number) => Promise<void>): Promise<{ ended_s: number; cost: number }> {
      expect((await m.extend()).ok).to.equal(true);
      let s = 0;
      while (s < hangup_s && s < m.limit_s) {
        s = Math.min(hangup_s, m.limit_s, s + 1);
        if (during) await during(s);
        if (m.limit_s - s <= 10) await m.extend();
        await m.captureElapsed(s);
      }
      const f = await m.finish(s, { hangup_cause: s === hangup_s ? 'normal' : 'credit_exhausted', answered_at_ms: 0, ended_at_ms: s * 1000, status: 'completed' });
      return { ended_s: s, cost: f.cost_minor };
    }
    const card = async (id: number) => { const c = await cardById(t.billing.db, id); return { balance: c?.balance_minor, pending: c?.pending_minor }; };

    it('tells what the card has left after each one-statement move (PostgreSQL); the general path tells nothing', async () => {
      const c = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const m = await call(c.card_id, rate());
      const available = async () => { const x = await card(c.card_id); return Number(x.balance) - Number(x.pending); };
      expect((await m.extend()).ok).to.equal(true); // holds the first minute: 10 of 500
      const afterReserve = m.availableAfterLastMove;
      expect(await m.captureElapsed(60)).to.equal(1);
      const afterCapture = m.availableAfterLastMove;
      if (kind === 'pg') {
        expect(afterReserve).to.equal(490);
        expect(afterCapture).to.equal(await available());
        expect(afterCapture).to.equal(490);
      } else {
        expect([afterReserve, afterCapture]).to.deep.equal([undefined, undefined]);
      }
      await m.finish(60, { hangup_cause: 'normal', answered_at_ms: 0, ended_at_ms: 60_000, status: 'completed' });

      // A chunk shrunk to what 7 ¢ buy: on PostgreSQL sized from the card's money the declined
      // statement locked and told, and reserved by a second one, which tells what is left.
      const poor = await t.billing.issueCard({ value_minor: 12, currency: 'USD' });
      const p = await call(poor.card_id, rate({ initial_increment_s: 30, increment_s: 30 })); // 5 ¢ per 30 s
      expect((await p.extend()).ok).to.equal(true); // [0,30) for 5 ¢
      expect(p.availableAfterLastMove).to.equal(kind === 'pg' ? 7 : undefined);
      expect((await p.extend()).ok).to.equal(true); // [30,90) would cost 10 ¢: shrunk to [30,60)
      expect(p.limit_s, 'the second chunk shrunk to 30 s').to.equal(60);
      expect(p.availableAfterLastMove).to.equal(kind === 'pg' ? 2 : undefined);
      await p.finish(0, { hangup_cause: 'normal', answered_at_ms: null, ended_at_ms: 0, status: 'completed' });

      // A move the general path makes (here a free chunk: nothing to hold) tells nothing, even on PostgreSQL.
      const f = await call(poor.card_id, rate({ rate_per_minute_scaled: 0 }));
      expect((await f.extend()).ok).to.equal(true);
      expect(f.limit_s).to.equal(60);
      expect(f.availableAfterLastMove).to.equal(undefined);
      await f.finish(0, { hangup_cause: 'normal', answered_at_ms: null, ended_at_ms: 0, status: 'completed' });
    });

    it('cuts the call off when the money runs out, billed by increment, never below zero', async () => {
      const c = await t.billing.issueCard({ value_minor: 105, currency: 'USD' });
      const m = await call(c.card_id, rate());
      const r = await run(m, 100_000);
      expect(r).to.deep.equal({ ended_s: 600, cost: 100 });
      expect(await card(c.card_id)).to.deep.equal({ balance: 5, pending: 0 }); // below one increment (10c), never negative
    });

    it('holds only the next chunk, so a merchant can spend the rest, and the call ends at the shrunk limit', async () => {
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const mm = await t.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
      if (!mm.ok) throw mm.error;
      const m = await call(c.card_id, rate());
      let merchant: string | undefined;
      const r = await run(m, 100_000, async (s) => {
        if (s === 30) {
          const a = await t.billing.tx((ctx) => authorize(ctx, mm.value.merchant.id, { card_number: c.number, pin: c.pin, amount: 75, currency: 'USD', capture: true }));
          merchant = a.ok ? 'ok' : a.error.code;
        }
      });
      expect(merchant).to.equal('ok'); // 1.00 − 0.10 held for the first minute = 0.90 available, 0.75 captured
      expect(r).to.deep.equal({ ended_s: 120, cost: 20 }); // 0.15 left affords one more minute only
      expect(await card(c.card_id)).to.deep.equal({ balance: 5, pending: 0 });
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('wrong PINs keyed elsewhere lock the card for new logins but never cut a call in progress', async () => {
      const c = await t.billing.issueCard({ value_minor: 100, currency: 'USD' });
      const mm = await t.billing.tx((ctx) => createMerchant(ctx, `Shop ${n}`));
      if (!mm.ok) throw mm.error;
      const m = await call(c.card_id, rate());
      const attempts: string[] = [];
      const r = await run(m, 150, async (s) => {
        if (s !== 30) return;
        // Someone who knows the number tries PINs until the card locks.
        for (let i = 0; i < t.billing.policy.pin_max_failures + 1; i++) {
          const a = await t.billing.tx((ctx) => authorize(ctx, mm.value.merchant.id, { card_number: c.number, pin: c.pin === '0000' ? '1111' : '0000', amount: 1, currency: 'USD' }));
          attempts.push(a.ok ? 'ok' : a.error.code);
        }
      });
      expect(attempts[attempts.length - 1]).to.equal('card_locked');
      expect(r).to.deep.equal({ ended_s: 150, cost: 30 }); // three minutes started, all reserved on the locked card
      expect(await card(c.card_id)).to.deep.equal({ balance: 70, pending: 0 });
      // The lock still stops the card's owner from spending it anew (a new call's first chunk goes through login first).
      const a = await t.billing.tx((ctx) => authorize(ctx, mm.value.merchant.id, { card_number: c.number, pin: c.pin, amount: 1, currency: 'USD' }));
      expect(a.ok ? 'ok' : a.error.code).to.equal('card_locked');
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('shrinks to a partial chunk on 30/6 and bills the exact rated duration', async () => {
      const c = await t.billing.issueCard({ value_minor: 50, currency: 'USD' });
      const m = await call(c.card_id, rate({ rate_per_minute_scaled: 60 * RATE_SCALE, initial_increment_s: 30, increment_s: 6 }));
      const r = await run(m, 100_000);
      expect(r).to.deep.equal({ ended_s: 48, cost: 48 }); // 30 s for 30c, then 3×6 s for 18c; 2c left
      expect(await card(c.card_id)).to.deep.equal({ balance: 2, pending: 0 });
    });

    it('charges a short call the initial increment and connect fee, and an unanswered one nothing', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      const short = await run(await call(c.card_id, rate({ connect_fee_minor: 25, initial_increment_s: 30, increment_s: 6 })), 7);
      expect(short).to.deep.equal({ ended_s: 7, cost: 30 }); // 25 connect + 30 s at 10c/min = 5c
      const m = await call(c.card_id, rate());
      expect((await m.extend()).ok).to.equal(true);
      const none = await m.finish(0, { hangup_cause: 'busy', answered_at_ms: null, ended_at_ms: 1, status: 'failed' });
      expect(none.cost_minor).to.equal(0);
      expect(await card(c.card_id)).to.deep.equal({ balance: 970, pending: 0 });
      const rec = await callRecordById(t.billing.db, m.call_id);
      expect(rec?.hangup_cause).to.equal('busy');
    });

    it('keeps going through zero-cost chunks (cheap rates, minimum charge, free destinations)', async () => {
      const c = await t.billing.issueCard({ value_minor: 1000, currency: 'USD' });
      // 0.5c/min at 60/60: price(60) = 1c, price(120) = 1c (rounded once), price(180) = 2c …
      const cheap = await run(await call(c.card_id, rate({ rate_per_minute_scaled: 5_000 })), 600);
      expect(cheap).to.deep.equal({ ended_s: 600, cost: 5 });
      // 1c/min with a 50c minimum: the first 50 minutes cost the minimum.
      const minimum = await run(await call(c.card_id, rate({ rate_per_minute_scaled: RATE_SCALE, min_charge_minor: 50 })), 300);
      expect(minimum).to.deep.equal({ ended_s: 300, cost: 50 });
      // Free destination, no connect fee: nothing is held or charged, and the call is not cut.
      const free = await run(await call(c.card_id, rate({ rate_per_minute_scaled: 0 })), 300);
      expect(free).to.deep.equal({ ended_s: 300, cost: 0 });
      expect(await card(c.card_id)).to.deep.equal({ balance: 945, pending: 0 });
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('two concurrent calls on one card share the balance without overdraft', async () => {
      const c = await t.billing.issueCard({ value_minor: 95, currency: 'USD' });
      const [a, b] = await Promise.all([run(await call(c.card_id, rate()), 100_000), run(await call(c.card_id, rate()), 100_000)]);
      expect(a.cost + b.cost).to.equal(90);
      expect(await card(c.card_id)).to.deep.equal({ balance: 5, pending: 0 });
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('rebuilds a call meter from its holds after a restart and bills it correctly', async () => {
      const c = await t.billing.issueCard({ value_minor: 500, currency: 'USD' });
      const m = await call(c.card_id, rate());
      await m.extend();
      await m.extend();
      await m.captureElapsed(60);
      // The IVR dies here; a new process restores the call from the database.
      const restored = await CallMetering.restore(t.billing, m.call_id, c.card_id, 'USD', rate());
      expect(restored.limit_s).to.equal(120);
      expect(restored.meter.captured_minor).to.equal(10);
      const f = await restored.finish(95, { hangup_cause: 'normal', answered_at_ms: 0, ended_at_ms: 95_000, status: 'completed' });
      expect(f).to.deep.equal({ billed_s: 120, cost_minor: 20, captured_minor: 20 });
      expect(await card(c.card_id)).to.deep.equal({ balance: 480, pending: 0 });
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });
  });
}
