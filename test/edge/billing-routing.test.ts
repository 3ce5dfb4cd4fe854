import { expect } from 'chai';
import { CallMetering } from '../../billing/calls/call-metering';
import { callRecordById, insertCallRecord, updateCallRecord } from '../../billing/calls/call-records';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { importDeck, lookupRate } from '../../billing/rating/rate-store';
import { marginReport } from '../../billing/reports/margin-report';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import { answers } from '../doubles/drachtio/peers';
import type { ScriptedCaller, ScriptedUas } from '../doubles/drachtio/peers';
import { getHeader, userOf } from '../doubles/drachtio/sip-message';
import { createTestBilling, KINDS, requireKind } from '../support/databases';
import type { TestBilling } from '../support/databases';
import { EdgeHarness, until } from './support/edge-harness';

/**
 * The edge on the REAL billing core (billing.routing / billing.carriers, CONTRACT.md) on SQLite and
 * PostgreSQL, through the drachtio-server double with the real drachtio-srf: a prepaid call whose outbound
 * leg the edge routes (503 from the cheapest carrier, answered by the next), metered and settled as the IVR
 * does; its call record names the carrier, its attempts are recorded, and revenue, cost and margin follow.
 */
const perMin = (text: string) => Math.round(Number(text) * 100 * RATE_SCALE);
const rate = (prefix: string, per_minute: string, o: Partial<Rate> = {}): Rate => ({
  prefix, destination: `dest ${prefix}`, rate_per_minute_scaled: perMin(per_minute), connect_fee_minor: 0, initial_increment_s: 60, increment_s: 60, min_charge_minor: 0, blocked: false, ...o,
});

for (const kind of KINDS) {
  describe(`SIP edge on the billing core (${kind})`, function () {
    this.timeout(30_000);
    let t: TestBilling;
    let h: EdgeHarness;
    let alpha: ScriptedUas;
    let bravo: ScriptedUas;
    let node: ScriptedCaller;
    const ids: Record<string, number> = {};

    beforeEach(async function () {
      await requireKind(this, kind);
      t = await createTestBilling(kind);
      const db = t.billing.db;
      await importDeck(db, 'default', 'USD', [
        rate('44', '0.10', { destination: 'United Kingdom', connect_fee_minor: 5, initial_increment_s: 30, increment_s: 6 }),
        rate('1900', '1.00', { blocked: true }), rate('1', '0.02', { initial_increment_s: 6, increment_s: 6 }),
      ], t.clock.ms);
      for (const [name, over, deck] of [
        ['alpha', { sip_uri: 'sip:198.51.100.10:5060' }, [rate('44', '0.031', { initial_increment_s: 1, increment_s: 1 })]],
        ['bravo', { sip_uri: 'sip:198.51.100.20:5060', tech_prefix: '99', send_plus: true }, [rate('4', '0.04', { connect_fee_minor: 1 })]],
      ] as const) {
        const c = await t.billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name, ...over }));
        ids[name] = c.id;
        await importCarrierDeck(db, c.id, 'USD', [...deck], t.clock.ms);
      }
      // The edge stamps attempts with the billing clock, so the margin report's day holds them.
      h = await new EdgeHarness({ routing: t.billing.routing, carriers: t.billing.carriers, clock: t.clock }).start();
      alpha = h.uas('198.51.100.10', 5060);
      bravo = h.uas('198.51.100.20', 5060);
      node = h.caller('10.0.0.5');
    });

    afterEach(async () => {
      await h?.stop();
      await t?.close();
    });

    /** What the IVR does before it dials: the call record with the sell rate, and the first chunk held. */
    async function openCall(id: string, number: string) {
      const card = await t.billing.issueCard({ value_minor: 10_00, currency: 'USD' });
      const sell = await lookupRate(t.billing.db, number);
      if (!sell) throw new Error('no sell rate');
      await t.billing.tx(async (ctx) => {
        await insertCallRecord(ctx.q, { id, card_id: card.card_id, caller_number: '+15551230001', access_number: '8005550100', channel_id: `${id}-in`, started_at_ms: t.clock.ms });
        await updateCallRecord(ctx.q, id, { destination: number, destination_name: sell.destination, currency: 'USD', rate: sell });
      });
      const metering = new CallMetering(t.billing, id, card.card_id, 'USD', sell, 60);
      expect((await metering.extend()).ok).to.equal(true);
      return { card, metering };
    }

    it('a prepaid call: 503 from the cheapest carrier, answered by the next; the record names it, with attempts, revenue, cost and margin', async () => {
      const callId = `e2e${kind}-0001`;
      const { metering } = await openCall(callId, '447700900123');
      alpha.opts.invite = answers.reject(503, { after_ms: 10 });
      bravo.opts.invite = answers.answer({ ring_ms: 5, answer_ms: 30 });
      const call = node.call({ to: '447700900123', headers: [['X-Prepaid-Call-Id', callId]] });
      expect((await call.finalResponse()).status).to.equal(200);
      // alpha (0.031/min on 44) ranked before bravo (0.04 on 4); bravo got its tech prefix and '+'.
      expect(userOf(alpha.invites()[0]?.uri ?? '')).to.equal('447700900123');
      expect(userOf(bravo.invites()[0]?.uri ?? '')).to.equal('99+447700900123');
      // 61 s of talk, then the caller hangs up; the IVR settles the call.
      t.clock.advance(61_000);
      call.bye();
      await until(() => bravo.ended === 1, 3000, 'carrier leg ended');
      while (metering.limit_s < 61) expect((await metering.extend()).ok).to.equal(true);
      await metering.captureElapsed(61);
      await metering.finish(61, { hangup_cause: 'normal', answered_at_ms: t.clock.ms - 61_000, ended_at_ms: t.clock.ms, status: 'completed' });

      const rec = await callRecordById(t.billing.db, callId);
      // Sell 44: 0.10/min, 30/6, connect 5 c: 61 s → 66 s billed → 11 c + 5 c = 16 c.
      // Buy bravo 4: 0.04/min, 60/60, connect 1 c: 61 s → 120 s → 8 c + 1 c = 9 c. Margin 7 c.
      expect({ carrier: Number(rec?.carrier_id), revenue: Number(rec?.cost_minor), cost: Number(rec?.buy_cost_minor) }).to.deep.equal({ carrier: ids.bravo, revenue: 16, cost: 9 });
      const attempts = await t.billing.db.all<{ carrier_id: number; attempt_order: number; sip_status: number | null; outcome: string }>(
        'SELECT carrier_id, attempt_order, sip_status, outcome FROM route_attempts WHERE call_id = ? ORDER BY attempt_order', [callId]);
      expect(attempts.map((a) => [Number(a.carrier_id), Number(a.attempt_order), a.sip_status === null ? null : Number(a.sip_status), a.outcome]))
        .to.deep.equal([[ids.alpha, 1, 503, 'failed'], [ids.bravo, 2, 200, 'answered']]);
      const report = await marginReport(t.billing.db, { from_ms: t.clock.ms - 86_400_000, to_ms: t.clock.ms + 86_400_000 }, 'carrier');
      const line = (name: string) => report.lines.find((l) => l.key === name);
      expect(line('bravo')).to.include({ calls: 1, revenue_minor: 16, cost_minor: 9, margin_minor: 7, attempts: 1, answered_attempts: 1 });
      expect(line('alpha')).to.include({ calls: 0, attempts: 1, answered_attempts: 0 });
      expect((await verifyLedger(t.billing.db)).violations).to.deep.equal([]);
    });

    it('no route (blocked, unpriced) is a 404 and tries no carrier; a call id with no call record is never connected', async () => {
      for (const number of ['19005551234', '8612345678']) {
        const final = await node.call({ to: number, headers: [['X-Prepaid-Call-Id', `e2e${kind}-none`]] }).finalResponse();
        expect(final.status, number).to.equal(404);
        expect(getHeader(final, 'Reason')).to.contain('cause=3');
      }
      expect(alpha.invites().length + bravo.invites().length).to.equal(0);
      alpha.opts.invite = answers.answer({ answer_ms: 10 });
      const orphan = await node.call({ to: '447700900123', headers: [['X-Prepaid-Call-Id', `e2e${kind}-missing`]] }).finalResponse();
      expect(orphan.status).to.equal(503);
      await until(() => alpha.requests('BYE').length === 1, 3000, 'answered carrier leg hung up');
    });
  });
}
