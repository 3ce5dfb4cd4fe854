import { expect } from 'chai';
import { createMerchant } from '../../../billing/merchants/merchants';
import { authorize } from '../../../billing/settlement/settlement';
import { farEnds } from '../../../ivr/sim/far-end';
import { requireKind } from '../../support/databases';
import type { Rig } from './harness';
import { balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, pendingHoldCount, sleepCall, startRig, talking } from './harness';


/** One balance spent by phone and online at once, on PostgreSQL (row locks, real concurrency). */
describe('IVR calls sharing one balance (simulator + ari-client + PostgreSQL)', function () {
  this.timeout(40_000);
  let rig: Rig;

  before(async function () {
    await requireKind(this, 'pg');
  });
  beforeEach(async () => {
    rig = await startRig({ kind: 'pg' });
  });
  afterEach(async () => {
    await rig?.stop();
  });

  it('a merchant capture during a live call shrinks its limit: the call ends at the new limit, no overdraft', async () => {
    // $1.00 at 1 ¢/s: 100 s. After ~5 s a merchant takes 80 ¢ of what is not held.
    const card = await rig.issueCard(100);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = await talking(rig, card, '+15551110001');
    await sleepCall(rig, 5000);
    const merchant = await rig.tb.billing.tx((ctx) => createMerchant(ctx, 'Shop'));
    if (!merchant.ok) throw merchant.error;
    const charge = await rig.tb.billing.tx((ctx) => authorize(ctx, merchant.value.merchant.id, { card_number: card.number, pin: card.pin, amount: 80, currency: 'USD', capture: true }));
    expect(charge.ok, charge.ok ? '' : charge.error.code).to.equal(true);
    await caller.heard('credit_exhausted', 10_000);
    caller.hangup();
    await caller.ended();
    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.hangup_cause).to.equal('cut_off');
    // The call ended at what the merchant left (20 ¢ = 20 s), not at its first 100 s; billed by the second, every cent was usable.
    expect(rec).to.include({ billed_seconds: 20, cost_minor: 20, captured_minor: 20 });
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 0, available: 0, pending: 0 });
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });

  it('two concurrent calls on one card share the money: both cut off, together never more than the card had', async () => {
    const card = await rig.issueCard(30);
    farEnd(rig.sim, farEnds.answer(0));
    const [a, b] = await Promise.all([talking(rig, card, '+15551110002'), talking(rig, card, '+15551110003')]);
    await Promise.all([a.heard('credit_exhausted', 15_000), b.heard('credit_exhausted', 15_000)]);
    a.hangup();
    b.hangup();
    await Promise.all([a.ended(), b.ended()]);
    const recs = await callRecordsOfCard(rig, card.card_id);
    expect(recs).to.have.length(2);
    const total = recs.reduce((n, r) => n + r.cost_minor, 0);
    expect(recs.map((r) => r.hangup_cause)).to.deep.equal(['cut_off', 'cut_off']);
    expect(total).to.equal(30);
    expect(recs.every((r) => r.captured_minor === r.cost_minor && r.cost_minor === r.billed_seconds)).to.equal(true);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 0, available: 0, pending: 0 });
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });
});
