import { expect } from 'chai';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { appHangups, balanceOf, expectSoundBooks, farEnd, originated, pendingHoldCount, settledRecord, sleepCall, startRig, talking } from './harness';



/**
 * The IVR process dies mid-call (its sessions detach without hanging up or billing, its ARI
 * connection drops) and a new one starts on the same database and Asterisk. Chunks are 5 s after
 * a 1 s first chunk: [0,1) [1,6) [6,11) …, each captured when it has elapsed.
 */
describe('IVR killed mid-call and restarted (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('outbound leg still up: metering resumes and the whole call is billed to the second, no hold left', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 20_000));
    const caller = await talking(rig, card);
    await sleepCall(rig, 7000);
    await rig.ivr.kill();
    await sleepCall(rig, 2000);
    const second = await rig.startIvr();
    await caller.heard('call_cost', 10_000);
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id, 5000);
    expect(rec?.status).to.equal('completed');
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    expect(rec?.billed_seconds).to.be.within(19, 21);
    expect(rec?.cost_minor).to.equal(rec?.billed_seconds);
    expect(await pendingHoldCount(rig)).to.equal(0);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500 - (rec?.cost_minor ?? 0), available: 500 - (rec?.cost_minor ?? 0), pending: 0 });
    expect(second.metrics.outcomes).to.deep.equal(['completed']);
    await expectSoundBooks(rig);
  });

  it('outbound leg gone while nobody watched: billed to the last captured chunk (the documented rule), hold released, caller told the cost', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 9500));
    const caller = await talking(rig, card);
    await sleepCall(rig, 8000); // [1,6) captured at 6 s; [6,11) pending
    await rig.ivr.kill();
    await sleepCall(rig, 4000); // the far end hangs up at 9.5 s, unseen
    const [leg] = originated(rig.sim);
    expect(rig.sim.channel(leg?.channelId ?? '')).to.equal(undefined);
    await rig.startIvr();
    await caller.heard('call_cost', 10_000);
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id, 5000);
    expect(rec).to.include({ status: 'completed', hangup_cause: 'reconciled', billed_seconds: 6, cost_minor: 6, captured_minor: 6 });
    expect(await pendingHoldCount(rig)).to.equal(0);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 494, available: 494, pending: 0 });
    await expectSoundBooks(rig);
  });

  it('IVR down past the covered time: Asterisk\'s TIMEOUT(absolute) ends the leg at the limit on its own (fail closed)', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0)); // the far end would talk for ever
    const caller = await talking(rig, card);
    await sleepCall(rig, 8000); // covered up to 11 s (+2 s grace)
    const [leg] = originated(rig.sim);
    await rig.ivr.kill();
    expect(rig.sim.channel(leg?.channelId ?? '')).to.not.equal(undefined);
    await sleepCall(rig, 7500);
    expect(rig.sim.channel(leg?.channelId ?? ''), 'leg outlived its covered time').to.equal(undefined);
    expect(appHangups(rig, leg?.channelId ?? ''), 'ended by Asterisk, not by the app').to.equal(0);
    await rig.startIvr();
    await caller.heard('call_cost', 10_000);
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id, 5000);
    expect(rec?.hangup_cause).to.equal('reconciled');
    expect(rec?.billed_seconds).to.be.at.most(11);
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });

  it('a WebSocket drop mid-call: the call goes on, is metered through the outage and billed once', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 12_000));
    const caller = await talking(rig, card);
    await sleepCall(rig, 4000);
    rig.sim.dropWebSockets({ refuse_ms: 300 });
    await caller.heard('call_cost', 10_000);
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id, 5000);
    expect(rec?.status).to.equal('completed');
    expect(rec?.billed_seconds).to.be.within(11, 13);
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });
});
