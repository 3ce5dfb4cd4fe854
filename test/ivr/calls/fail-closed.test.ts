import { expect } from 'chai';
import sinon from 'sinon';
import type { Step } from '../../../ivr/calls/steps/steps';
import { STEPS } from '../../../ivr/calls/steps/steps';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig, RigOptions } from './harness';
import { appHangups, balanceOf, expectSoundBooks, farEnd, originated, pendingHoldCount, settledRecord, sleepCall, startRig, talking, US_NUMBER } from './harness';



const logged = (rig: Rig, level: string, message: string): number => rig.log.lines.filter((l) => l.level === level && l.message === message).length;

/**
 * What the IVR does when it cannot hear Asterisk, cannot read the database, or the caller leaves
 * early: it fails closed, never charges more than the time it confirmed, and leaves no hold or
 * open call record behind. Chunks are 5 s after a 1 s first chunk: [0,1) [1,6) [6,11) …
 */
describe('IVR failing closed (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig | undefined;

  const start = async (o: RigOptions = {}): Promise<Rig> => {
    rig = await startRig(o);
    return rig;
  };
  afterEach(async () => {
    sinon.restore();
    await rig?.stop();
    rig = undefined;
  });

  it('the far end hangs up while the event socket is down: billed to the last moment the leg was confirmed up, never more than captured, no hold left', async () => {
    const rig = await start();
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 6000));
    await talking(rig, card);
    await sleepCall(rig, 4000);
    rig.sim.dropWebSockets({ refuse_ms: 2000 }); // 20 s of call time without events
    const rec = await settledRecord(rig, card.card_id);
    expect(rec?.status).to.equal('completed');
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    // Up at 4 s for sure, gone at 6 s: nothing of the outage after the hang-up is charged.
    expect(rec?.billed_seconds).to.be.within(4, 6);
    expect(rec?.cost_minor).to.equal(rec?.billed_seconds);
    expect(rec?.captured_minor).to.equal(rec?.cost_minor);
    expect(await pendingHoldCount(rig)).to.equal(0);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500 - (rec?.cost_minor ?? 0), available: 500 - (rec?.cost_minor ?? 0), pending: 0 });
    expect(logged(rig, 'error', 'call settlement failed: left to reconcile')).to.equal(0);
    await expectSoundBooks(rig);
  });

  it('a long outage with a far end that would talk for ever: no chunk reserved while deaf, the leg ends at its covered time, billed no further', async () => {
    const rig = await start();
    const card = await rig.issueCard(50);
    farEnd(rig.sim, farEnds.answer(0));
    await talking(rig, card);
    await sleepCall(rig, 4000);
    rig.sim.dropWebSockets({ refuse_ms: 2500 }); // 25 s of call time without events
    const rec = await settledRecord(rig, card.card_id);
    const [leg] = originated(rig.sim);
    expect(rig.sim.channel(leg?.channelId ?? ''), 'leg outlived its covered time').to.equal(undefined);
    expect(rec?.status).to.equal('completed');
    // Covered up to 6 s (or 11 s if [6,11) was reserved just before the drop), never the 50 s the card could pay.
    expect(rec?.billed_seconds).to.be.within(4, 11);
    expect(rec?.captured_minor).to.equal(rec?.cost_minor);
    expect(await pendingHoldCount(rig)).to.equal(0);
    expect((await balanceOf(rig, card.card_id)).balance).to.equal(50 - (rec?.cost_minor ?? 0));
    await expectSoundBooks(rig);
  });

  it('the event socket is given up for good (ConnectionLost): the call ends where it was last known up and the leg is hung up', async () => {
    const rig = await start({ ariReconnectAttempts: 2 });
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0));
    await talking(rig, card);
    await sleepCall(rig, 4000);
    rig.sim.dropWebSockets({ refuse_ms: 5000 });
    const rec = await settledRecord(rig, card.card_id);
    expect(rec?.status).to.equal('completed');
    expect(rec?.hangup_cause).to.equal('failed');
    expect(rec?.billed_seconds).to.be.within(4, 6);
    expect(rec?.captured_minor).to.equal(rec?.cost_minor);
    const [leg] = originated(rig.sim);
    expect(appHangups(rig, leg?.channelId ?? ''), 'the app hung the leg up').to.be.at.least(1);
    expect(rig.sim.channel(leg?.channelId ?? '')).to.equal(undefined);
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });

  it('a failed balance read mid-call does not stop metering: the funded call goes on and is billed to the second', async () => {
    const rig = await start();
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 20_000));
    const caller = await talking(rig, card);
    await sleepCall(rig, 2000);
    const read = sinon.stub(rig.tb.billing, 'read').throws(new Error('transient read failure'));
    await sleepCall(rig, 6000);
    read.restore();
    await caller.heard('call_cost', 10_000);
    const rec = await settledRecord(rig, card.card_id);
    expect(read.called, 'the balance was read during the failure').to.equal(true);
    expect(logged(rig, 'warn', 'could not read the balance: metering goes on with the covered time')).to.be.at.least(1);
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    expect(rec?.billed_seconds).to.be.within(19, 21);
    expect(rec?.captured_minor).to.equal(rec?.cost_minor);
    expect(caller.prompts(), 'no warning played on a guess').to.not.include('one_minute_left');
    expect(await pendingHoldCount(rig)).to.equal(0);
    await expectSoundBooks(rig);
  });

  it('the caller hanging up during "please wait, connecting": the first chunk is released and the record closed, nothing dialled', async () => {
    const rig = await start();
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(3000));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(US_NUMBER);
    await caller.heard('please_wait_connecting');
    caller.hangup();
    await caller.ended();
    const rec = await settledRecord(rig, card.card_id);
    expect(rec).to.include({ status: 'failed', hangup_cause: 'caller_hangup_before_dial', billed_seconds: 0, cost_minor: 0 });
    expect(originated(rig.sim)).to.have.length(0);
    expect(await pendingHoldCount(rig)).to.equal(0);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500, available: 500, pending: 0 });
    expect(rig.ivr.metrics.outcomes).to.deep.equal(['cancelled']);
    await expectSoundBooks(rig);
  });

  it('a step asking for an illegal transition is a technical problem: said, the call ends, the process lives on', async () => {
    const rig = await start();
    const illegal: Step = async () => 'talking'; // answering → talking is not in the table
    sinon.replace(STEPS as Record<string, Step>, 'answering', illegal);
    const caller = rig.call();
    await caller.heard('technical_problem');
    await caller.ended();
    await rig.ivr.app.idle();
    expect(logged(rig, 'error', 'call step failed')).to.equal(1);
    expect(rig.ivr.app.activeSessions).to.equal(0);
  });
});
