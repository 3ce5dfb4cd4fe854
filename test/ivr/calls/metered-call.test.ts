import { expect } from 'chai';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import {
  appHangups, balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, originated, pendingHoldCount, recordsOf, startRig, UK_NUMBER, US_NUMBER,
} from './harness';

describe('IVR metered calls (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('connects a call, meters it by the second, says the cost and the new balance', async () => {
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(2000, 12_000));
    const caller = rig.call();
    await caller.login(card);
    await caller.heard('you_have');
    await caller.dialAfterBalance(US_NUMBER);
    await caller.heard('for_this_call');
    await caller.heard('call_cost');
    await caller.heard('new_balance');
    await caller.heard('another_call');
    await caller.heard('goodbye');
    await caller.ended();

    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.status).to.equal('completed');
    expect(rec?.destination).to.equal('12125551234');
    expect(rec?.caller_number).to.equal('+15551230001');
    expect(rec?.access_number).to.equal('8005550100');
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    expect(JSON.parse(rec?.rate_json ?? '{}')).to.include({ prefix: '1', increment_s: 1 });
    // 12 s of talk at 1 ¢/s, billed by the second (one second of timer slack either way).
    expect(rec?.billed_seconds).to.be.within(11, 13);
    expect(rec?.cost_minor).to.equal(rec?.billed_seconds);
    expect(rec?.captured_minor).to.equal(rec?.cost_minor);
    const b = await balanceOf(rig, card.card_id);
    expect(b.balance).to.equal(1000 - (rec?.cost_minor ?? 0));
    expect(await pendingHoldCount(rig)).to.equal(0);
    // The outbound leg went to the trunk with the E.164 digits and carried an absolute timeout.
    const [leg] = originated(rig.sim);
    expect(leg?.detail?.endpoint).to.equal('PJSIP/12125551234@trunk');
    const timeouts = recordsOf(rig.sim, leg?.channelId ?? '', 'set-var').filter((r) => r.detail?.name === 'TIMEOUT(absolute)');
    expect(timeouts.length).to.be.greaterThan(1);
    // The INVITE carries the call record's id for the SIP edge (X-Prepaid-Call-Id).
    const header = recordsOf(rig.sim, leg?.channelId ?? '', 'set-var').filter((r) => r.detail?.name === 'PJSIP_HEADER(add,X-Prepaid-Call-Id)');
    expect(header.map((r) => r.detail?.value)).to.deep.equal([rec?.id]);
    // The caller heard ringing before the answer, and was bridged with the far end.
    expect(recordsOf(rig.sim, caller.channelId, 'ring')).to.have.length(1);
    expect(recordsOf(rig.sim, caller.channelId, 'bridge-add')).to.have.length(1);
    await expectSoundBooks(rig);
    expect(rig.ivr.metrics.outcomes).to.deep.equal(['completed']);
  });

  it('cuts the call off when the money runs out: billed by increment, balance below one increment, never negative', async () => {
    // 25 ¢ at 6 ¢ per 6-second increment: 4 increments (24 s, 24 ¢), 1 ¢ left.
    const card = await rig.issueCard(25);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(UK_NUMBER);
    await caller.heard('for_this_call');
    await caller.heard('one_minute_left'); // warned warnBefore_s (10 s) before the end
    await caller.heard('credit_exhausted');
    await caller.heard('call_cost');
    await caller.heard('new_balance');
    caller.hangup();
    await caller.ended();

    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.hangup_cause).to.equal('cut_off');
    expect(rec?.billed_seconds).to.equal(24);
    expect(rec?.cost_minor).to.equal(24);
    const b = await balanceOf(rig, card.card_id);
    expect(b).to.deep.equal({ balance: 1, available: 1, pending: 0 });
    expect(rig.ivr.metrics.outcomes).to.deep.equal(['cut_off']);
    // The app hung the leg up; Asterisk's TIMEOUT(absolute) was kept just past the limit.
    const [leg] = originated(rig.sim);
    expect(appHangups(rig, leg?.channelId ?? '')).to.equal(1);
    await expectSoundBooks(rig);
  });

  for (const [name, fe, prompt, status] of [
    ['busy', farEnds.busy(1000), 'number_busy', 'BUSY'],
    ['no answer', farEnds.noAnswer(), 'no_answer', 'NOANSWER'],
    ['congestion', farEnds.congestion(500), 'network_busy', 'CONGESTION'],
    // The SIP edge's "no route" is a 404: Asterisk hangs up with cause 1, the caller hears "not available".
    ['no route (404)', farEnds.unallocated(), 'destination_not_available', 'NOANSWER'], // the record keeps Asterisk's dial status
  ] as const) {
    it(`${name}: said, costs nothing, the chunk is released`, async () => {
      const card = await rig.issueCard(500);
      farEnd(rig.sim, fe);
      const caller = rig.call();
      await caller.login(card);
      await caller.dialAfterBalance(US_NUMBER);
      await caller.heard(prompt, 10_000);
      await caller.heard('call_not_charged');
      await caller.heard('another_call');
      caller.hangup();
      await caller.ended();
      const [rec] = await callRecordsOfCard(rig, card.card_id);
      expect(rec).to.include({ status: 'failed', hangup_cause: status, billed_seconds: 0, cost_minor: 0, answered_at_ms: null });
      expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500, available: 500, pending: 0 });
      expect(await pendingHoldCount(rig)).to.equal(0);
      await expectSoundBooks(rig);
    });
  }

  it('the caller hanging up while it rings hangs up the outbound leg and costs nothing', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(60_000));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(US_NUMBER);
    await caller.heard('please_wait_connecting');
    while (originated(rig.sim).length === 0) await new Promise((r) => setTimeout(r, 10));
    caller.hangup();
    await caller.ended();
    const [leg] = originated(rig.sim);
    const deadline = Date.now() + 3000;
    while (rig.sim.channel(leg?.channelId ?? '') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(rig.sim.channel(leg?.channelId ?? ''), 'outbound leg still ringing').to.equal(undefined);
    expect(appHangups(rig, leg?.channelId ?? '')).to.be.greaterThan(0);
    // The record is closed after the leg's hang-up (on a loaded machine, a moment later).
    let rec = (await callRecordsOfCard(rig, card.card_id))[0];
    while (rec?.status === 'active' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      rec = (await callRecordsOfCard(rig, card.card_id))[0];
    }
    expect(rec).to.include({ status: 'failed', hangup_cause: 'caller_hangup_while_ringing', cost_minor: 0 });
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500, available: 500, pending: 0 });
    await expectSoundBooks(rig);
  });

  it('the caller hanging up while talking is billed to that second', async () => {
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(US_NUMBER);
    await caller.heard('for_this_call');
    while (recordsOf(rig.sim, caller.channelId, 'bridge-add').length === 0) await new Promise((r) => setTimeout(r, 10));
    const bridgedAt = Date.now();
    await new Promise((r) => setTimeout(r, 900)); // 9 s of call time
    caller.hangup();
    const talked_s = ((Date.now() - bridgedAt) * 10) / 1000;
    await caller.ended();
    const [leg] = originated(rig.sim);
    const deadline = Date.now() + 3000;
    let rec = (await callRecordsOfCard(rig, card.card_id))[0];
    while (rec?.status === 'active' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      rec = (await callRecordsOfCard(rig, card.card_id))[0];
    }
    expect(rig.sim.channel(leg?.channelId ?? '')).to.equal(undefined);
    expect(rec?.hangup_cause).to.equal('caller_hangup');
    expect(rec?.billed_seconds).to.be.within(Math.floor(talked_s) - 1, Math.ceil(talked_s) + 1);
    expect(rec?.cost_minor).to.equal(rec?.billed_seconds);
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 500 - (rec?.cost_minor ?? 0), available: 500 - (rec?.cost_minor ?? 0), pending: 0 });
    await expectSoundBooks(rig);
  });
});
