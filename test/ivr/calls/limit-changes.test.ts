import { expect } from 'chai';
import { createMerchant } from '../../../billing/merchants/merchants';
import { authorize } from '../../../billing/settlement/settlement';
import { farEnds } from '../../../ivr/sim/far-end';
import { KINDS, requireKind } from '../../support/databases';
import type { Rig } from './harness';
import { balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, originated, recordsOf, sleepCall, SPEED, startRig, talking } from './harness';

/**
 * A spend elsewhere (here a merchant capture) shrinks what a live call can still buy: the warning and the cut-off
 * are re-computed from the new balance, not only at the call's next chunk.
 */
for (const kind of KINDS) describe(`IVR calls whose money is spent elsewhere mid-call (simulator + ari-client + ${kind})`, function () {
  this.timeout(40_000);
  let rig: Rig | undefined;

  before(async function () {
    await requireKind(this, kind);
  });

  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('a merchant spend mid-call: the warning comes exactly warnBefore_s before the new cut-off', async () => {
    // $1.00 at 1 ¢/s, 30-second chunks reserved 5 s ahead, warning 20 s before the end: [0,1) [1,31) [31,61) …
    rig = await startRig({ kind, ivr: { chunk_s: 30, reserveAhead_s: 5, warnBefore_s: 20 } });
    const card = await rig.issueCard(100);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = await talking(rig, card, '+15551110009');
    // At 35 s, 31 s are paid and [31,61) is held: 39 ¢ are available; a merchant takes 35 of them. The call can now
    // last to 61 + 4 = 65 s: warning due at 45 s, long before the next chunk (reserved at 56 s) would tell.
    await sleepCall(rig, 35_000);
    const merchant = await rig.tb.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
    if (!merchant.ok) throw merchant.error;
    const charge = await rig.tb.billing.tx((ctx) => authorize(ctx, merchant.value.merchant.id, { card_number: card.number, pin: card.pin, amount: 35, currency: 'USD', capture: true }));
    expect(charge.ok, charge.ok ? '' : charge.error.code).to.equal(true);
    await caller.heard('one_minute_left', 15_000);
    await caller.heard('credit_exhausted', 10_000);
    caller.hangup();
    await caller.ended();

    // In call time, as the IVR saw it: 20 s left when it warned.
    const warned = rig.log.lines.filter((l) => l.message === 'one minute warning');
    expect(warned.map((l) => l.fields.left_s)).to.deep.equal([20]);
    expect(rig.log.lines.filter((l) => l.message === 'could not read the balances of live calls'), 'the balance watch read the cards').to.deep.equal([]);
    // And as the simulator saw it (wall clock ×SPEED, loose: the machine may be loaded): warning → cut-off ≈ 20 s.
    const warnedAt = recordsOf(rig.sim, caller.channelId, 'playback-started').find((r) => r.mediaUri?.endsWith('/one_minute_left'));
    const [leg] = originated(rig.sim);
    const cutAt = recordsOf(rig.sim, leg?.channelId ?? '', 'hangup')[0];
    const gap_s = (((cutAt?.t_ms ?? NaN) - (warnedAt?.t_ms ?? NaN)) * SPEED) / 1000;
    expect(gap_s).to.be.within(17, 23);

    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec).to.include({ hangup_cause: 'cut_off', billed_seconds: 65, cost_minor: 65, captured_minor: 65 });
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 0, available: 0, pending: 0 });
    await expectSoundBooks(rig);
  });
});
