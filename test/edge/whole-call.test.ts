import { expect } from 'chai';
import { callRecordById } from '../../billing/calls/call-records';
import { CARRIER_DEFAULTS } from '../../billing/carriers/carrier';
import { importCarrierDeck } from '../../billing/carriers/carrier-deck';
import { insertCarrier } from '../../billing/carriers/carrier-store';
import type { Rate } from '../../billing/rating/rate';
import { RATE_SCALE } from '../../billing/rating/rate';
import { marginReport } from '../../billing/reports/margin-report';
import { systemClock } from '../../billing/shared/clock';
import { verifyLedger } from '../../billing/verify/ledger-verify';
import type { DialTarget } from '../../ivr/sim/far-end';
import { farEnds } from '../../ivr/sim/far-end';
import { answers } from '../doubles/drachtio/peers';
import type { ScriptedCaller, ScriptedUas } from '../doubles/drachtio/peers';
import { userOf } from '../doubles/drachtio/sip-message';
import type { Rig } from '../ivr/calls/harness';
import { callRecordsOfCard, startRig, UK_NUMBER } from '../ivr/calls/harness';
import { EdgeHarness, until } from './support/edge-harness';

/**
 * A whole prepaid call: a simulated caller → the IVR (real, over the ARI simulator) dials
 * `PJSIP/{number}@edge` with its call id in X-Prepaid-Call-Id → that leg goes, as Asterisk would send it,
 * through the drachtio-server double to the REAL edge (real drachtio-srf) → the cheapest carrier answers 503,
 * the next one answers and hangs up later → the IVR bills the call. The call record names the carrier, the
 * attempts are recorded, and the revenue, the carrier's cost and the margin follow (SQLite).
 */
const perMin = (cents: number) => cents * RATE_SCALE;
const rate = (prefix: string, cents_per_min: number, inc: [number, number], o: Partial<Rate> = {}): Rate => ({
  prefix, destination: `dest ${prefix}`, rate_per_minute_scaled: perMin(cents_per_min), connect_fee_minor: 0, initial_increment_s: inc[0], increment_s: inc[1], min_charge_minor: 0, blocked: false, ...o,
});

/** The "Asterisk side" of the outbound leg: each PJSIP/…@edge channel the IVR originates becomes a SIP call to the edge. */
function bridgeAsteriskToEdge(rig: Rig, node: ScriptedCaller, errors: string[]) {
  return (t: DialTarget) => {
    setImmediate(() => {
      void (async () => {
        // What Asterisk puts on the INVITE: the number, and the header set with PJSIP_HEADER(add,…) on the channel.
        const originated = [...rig.sim.records()].reverse().find((r) => r.kind === 'originate' && r.detail?.endpoint === t.endpoint);
        const channelId = originated?.channelId ?? '';
        const header = rig.sim.records().find((r) => r.kind === 'set-var' && r.channelId === channelId && r.detail?.name === 'PJSIP_HEADER(add,X-Prepaid-Call-Id)');
        const call = node.call({ to: t.number, headers: header ? [['X-Prepaid-Call-Id', String(header.detail?.value)]] : [] });
        const rang = node.waitFor((m) => m.kind === 'response' && m.status === 180, 10_000, '180').then(() => rig.sim.driveFarEnd(channelId, 'ring'), () => false);
        const final = await call.finalResponse(20_000);
        await rang.catch(() => undefined);
        if (final.status !== 200) {
          rig.sim.driveFarEnd(channelId, final.status === 486 ? 'busy' : final.status === 404 ? 'unallocated' : 'congestion');
          return;
        }
        rig.sim.driveFarEnd(channelId, 'answer');
        // Either side ending ends the other: the carrier's BYE (relayed by the edge) or the IVR hanging up the leg.
        const ivrHungUp = until(() => rig.sim.channel(channelId) === undefined, 60_000, 'leg gone').then(() => call.bye(), () => undefined);
        await Promise.race([call.whenEnded(60_000).then(() => rig.sim.hangupFarEnd(channelId)), ivrHungUp]);
      })().catch((err: unknown) => errors.push(String(err)));
    });
    return farEnds.external();
  };
}

describe('a whole prepaid call: caller → IVR → SIP edge → carrier, billed with its carrier', function () {
  this.timeout(60_000);
  let rig: Rig;
  let h: EdgeHarness;
  let alpha: ScriptedUas;
  let bravo: ScriptedUas;
  const errors: string[] = [];
  const ids: Record<string, number> = {};

  before(async () => {
    rig = await startRig({ ivr: { trunkEndpoint: 'PJSIP/{number}@edge' }, sim: { pjsipEndpoints: ['edge'] } });
    const billing = rig.tb.billing;
    // The IVR's sell deck rates +44 at 60 ¢/min in 6/6. Buy decks: alpha 44 at 3.1 ¢/min (1/1), bravo 4 at 4 ¢/min
    // (60/60, 1 ¢ connect fee, tech prefix 99 and '+').
    for (const [name, over, deck] of [
      ['alpha', { sip_uri: 'sip:198.51.100.10:5060' }, [rate('44', 3.1, [1, 1])]],
      ['bravo', { sip_uri: 'sip:198.51.100.20:5060', tech_prefix: '99', send_plus: true }, [rate('4', 4, [60, 60], { connect_fee_minor: 1 })]],
    ] as const) {
      const c = await billing.tx((ctx) => insertCarrier(ctx.q, ctx.now_ms, { ...CARRIER_DEFAULTS, name, ...over }));
      ids[name] = c.id;
      await importCarrierDeck(billing.db, c.id, 'USD', [...deck], Date.now());
    }
    h = await new EdgeHarness({ routing: billing.routing, carriers: billing.carriers, clock: systemClock }).start();
    alpha = h.uas('198.51.100.10', 5060, { invite: answers.reject(503, { after_ms: 10 }) });
    // Answers after ringing; hangs up 3 s (wall time) after the ACK.
    bravo = h.uas('198.51.100.20', 5060, { invite: answers.answer({ ring_ms: 20, answer_ms: 200, bye_after_ms: 3000 }) });
    const node = h.caller('10.0.0.5');
    rig.sim.setFarEnd(bridgeAsteriskToEdge(rig, node, errors));
  });

  after(async () => {
    await h?.stop();
    await rig?.stop();
  });

  it('connects through the second carrier; the record names it with its attempts; revenue, cost and margin are exact', async () => {
    const card = await rig.issueCard(10_00);
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(UK_NUMBER);
    await caller.heard('call_cost', 30_000);
    await caller.heard('new_balance');
    caller.hangup();
    await caller.ended();
    expect(errors).to.deep.equal([]);

    const [summary] = await callRecordsOfCard(rig, card.card_id);
    const rec = await callRecordById(rig.tb.billing.db, summary?.id ?? '');
    expect(rec?.status).to.equal('completed');
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    // The leg reached the edge with the record's id, went to alpha (cheapest: 3.1 ¢ on 44) then bravo.
    expect(userOf(alpha.invites()[0]?.uri ?? '')).to.equal('442071838750');
    expect(userOf(bravo.invites()[0]?.uri ?? '')).to.equal('99+442071838750');
    expect(Number(rec?.carrier_id)).to.equal(ids.bravo);
    const attempts = await rig.tb.billing.db.all<{ carrier_id: number; attempt_order: number; sip_status: number | null; outcome: string }>(
      'SELECT carrier_id, attempt_order, sip_status, outcome FROM route_attempts WHERE call_id = ? ORDER BY attempt_order', [rec?.id ?? '']);
    expect(attempts.map((a) => [Number(a.carrier_id), Number(a.attempt_order), a.sip_status === null ? null : Number(a.sip_status), a.outcome]))
      .to.deep.equal([[ids.alpha, 1, 503, 'failed'], [ids.bravo, 2, 200, 'answered']]);

    // Revenue: 60 ¢/min = 1 ¢ a second, in 6 s increments. Cost: bravo's 4 ¢/min in whole minutes, + 1 ¢.
    const talk_s = Number(rec?.talk_ms) / 1000;
    expect(talk_s).to.be.greaterThan(1); // the far end hung up a few seconds (scaled by the simulator) after answering
    const revenue = Math.ceil(Math.ceil(talk_s) / 6) * 6;
    const cost = Math.ceil(Math.ceil(talk_s) / 60) * 4 + 1;
    expect({ revenue: Number(rec?.cost_minor), cost: Number(rec?.buy_cost_minor) }).to.deep.equal({ revenue, cost });
    const report = await marginReport(rig.tb.billing.db, { from_ms: Date.now() - 10 * 86_400_000, to_ms: Date.now() + 10 * 86_400_000 }, 'carrier');
    expect(report.lines.find((l) => l.key === 'bravo')).to.include({ calls: 1, revenue_minor: revenue, cost_minor: cost, margin_minor: revenue - cost, attempts: 1, answered_attempts: 1 });
    expect(report.lines.find((l) => l.key === 'alpha')).to.include({ calls: 0, attempts: 1, answered_attempts: 0 });
    expect((await verifyLedger(rig.tb.billing.db)).violations).to.deep.equal([]);
  });
});
