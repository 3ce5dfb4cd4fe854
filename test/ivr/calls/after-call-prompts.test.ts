import { expect } from 'chai';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig, RigOptions } from './harness';
import { balanceOf, callRecordsOfCard, expectSoundBooks, farEnd, originated, recordsOf, settledRecord, sleepCall, startRig, talking, UK_NUMBER } from './harness';

/**
 * Asterisk 22 answers a play sent right after `DELETE /bridges/{id}` (before the caller's ChannelLeftBridge) with
 * 201 "queued", and sometimes never starts it (play-right-after-bridge-destroy.jsonl). The simulator here makes the
 * teardown last 3 simulated seconds and loses EVERY play that races it, so a call flow that does not wait for the
 * caller to leave the bridge leaves the caller in silence every time; the IVR's wait for that is set above it.
 */
const RACE: RigOptions = { sim: { bridgeTeardown_ms: 3000, racingPlayLost: () => true }, ivr: { bridgeExitTimeout_ms: 10_000 } };

function logged(rig: Rig, level: string, message: string): number {
  return rig.log.lines.filter((l) => l.level === level && l.message === message).length;
}

/** The caller's plays sent after the call (its bridge destroyed) and where the caller left the bridge. */
function afterCallTimeline(rig: Rig, callerId: string): { left_ms: number; plays: Array<{ t_ms: number; lost: boolean }> } {
  const destroyed = rig.sim.records().find((r) => r.kind === 'bridge-destroy');
  expect(destroyed, 'the call bridge was destroyed').to.not.equal(undefined);
  const left = recordsOf(rig.sim, callerId, 'bridge-remove').at(-1);
  expect(left, 'the caller left the bridge').to.not.equal(undefined);
  const lost = new Set(recordsOf(rig.sim, callerId, 'playback-lost').map((r) => r.playbackId));
  const plays = recordsOf(rig.sim, callerId, 'play')
    .filter((r) => r.t_ms >= (destroyed?.t_ms ?? 0))
    .map((r) => ({ t_ms: r.t_ms, lost: lost.has(r.playbackId) }));
  return { left_ms: left?.t_ms ?? NaN, plays };
}

describe('IVR prompts after a call: played once the caller has left the bridge, every wait bounded (simulator + ari-client + SQLite)', function () {
  this.timeout(30_000);
  let rig: Rig | undefined;

  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('far end hangs up: the cost and the new balance are heard, played only after the caller\'s ChannelLeftBridge', async () => {
    rig = await startRig(RACE);
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(0, 4000));
    const caller = await talking(rig, card);
    await caller.heard('call_cost');
    await caller.heard('new_balance');
    await caller.heard('another_call');
    caller.hangup();
    await caller.ended();
    const t = afterCallTimeline(rig, caller.channelId);
    expect(t.plays.length).to.be.at.least(2);
    expect(t.plays.filter((p) => p.lost), 'no play was lost').to.deep.equal([]);
    expect(t.plays.every((p) => p.t_ms >= t.left_ms), 'every after-call play came after the caller left the bridge').to.equal(true);
    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    await expectSoundBooks(rig);
  });

  it('cut off when the money runs out: "credit exhausted", the cost and the new balance are heard', async () => {
    rig = await startRig(RACE);
    // 25 ¢ at 6 ¢ per 6-second increment: cut off at 24 s.
    const card = await rig.issueCard(25);
    farEnd(rig.sim, farEnds.answer(0));
    const caller = rig.call();
    await caller.login(card);
    await caller.dialAfterBalance(UK_NUMBER);
    await caller.heard('credit_exhausted', 10_000);
    await caller.heard('call_cost');
    await caller.heard('new_balance');
    await caller.heard('another_call');
    caller.hangup();
    await caller.ended();
    const t = afterCallTimeline(rig, caller.channelId);
    expect(t.plays.filter((p) => p.lost)).to.deep.equal([]);
    expect(t.plays.every((p) => p.t_ms >= t.left_ms)).to.equal(true);
    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec).to.include({ hangup_cause: 'cut_off', billed_seconds: 24, cost_minor: 24 });
    await expectSoundBooks(rig);
  });

  it('reconciled after a restart (the far end went while nobody watched): the cost is heard once the caller has left the bridge', async () => {
    rig = await startRig(RACE);
    const card = await rig.issueCard(500);
    farEnd(rig.sim, farEnds.answer(0, 9500));
    const caller = await talking(rig, card);
    await sleepCall(rig, 8000);
    await rig.ivr.kill();
    await sleepCall(rig, 4000); // the far end hangs up at 9.5 s, unseen; the caller is still in the bridge
    const [leg] = originated(rig.sim);
    expect(rig.sim.channel(leg?.channelId ?? '')).to.equal(undefined);
    expect(rig.sim.bridges().map((b) => b.channels)).to.deep.equal([[caller.channelId]]);
    await rig.startIvr();
    await caller.heard('call_cost', 10_000);
    await caller.heard('new_balance');
    caller.hangup();
    await caller.ended();
    const t = afterCallTimeline(rig, caller.channelId);
    expect(t.plays.filter((p) => p.lost)).to.deep.equal([]);
    expect(t.plays.every((p) => p.t_ms >= t.left_ms)).to.equal(true);
    const rec = await settledRecord(rig, card.card_id);
    expect(rec).to.include({ hangup_cause: 'reconciled', billed_seconds: 6, cost_minor: 6 });
    expect(await balanceOf(rig, card.card_id)).to.deep.equal({ balance: 494, available: 494, pending: 0 });
    await expectSoundBooks(rig);
  });

  /** A 3 s call on `options` that hears its cost and "another call?", then hangs up: its after-call timeline. */
  async function slowTeardownCall(options: RigOptions): Promise<{ rig: Rig; t: ReturnType<typeof afterCallTimeline> }> {
    rig = await startRig(options);
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(0, 3000));
    const caller = await talking(rig, card);
    await caller.heard('call_cost');
    await caller.heard('another_call');
    caller.hangup();
    await caller.ended();
    return { rig, t: afterCallTimeline(rig, caller.channelId) };
  }

  it('a teardown slower than the wait for ChannelLeftBridge: the lost prompt is retried once and heard', async () => {
    // The caller leaves 1.2 s after the DELETE; the IVR waits 0.5 s for that, plays (lost), and 1 s later plays again.
    const { rig, t } = await slowTeardownCall({
      sim: { bridgeTeardown_ms: 1200, racingPlayLost: () => true },
      ivr: { bridgeExitTimeout_ms: 500, playbackStartTimeout_ms: 1000 },
    });
    expect(t.plays.map((p) => p.lost).slice(0, 2), 'the first play raced the teardown and was lost, its retry was not').to.deep.equal([true, false]);
    expect(logged(rig, 'warn', 'the caller did not leave the bridge in time: prompts may be lost')).to.equal(1);
    expect(logged(rig, 'warn', 'playback did not start: playing it again')).to.equal(1);
    expect(logged(rig, 'warn', 'playback did not start again: moving on')).to.equal(0);
  });

  it('a prompt only late (Asterisk still has it, GET 200): waited for once more, not played twice', async () => {
    // The caller leaves 2 s after the DELETE; the IVR stops waiting at 0.5 s and plays; that play races the teardown
    // but is not lost: it starts when the caller has left, 1.5 s later, after one look-up of the playback.
    const { rig, t } = await slowTeardownCall({
      sim: { bridgeTeardown_ms: 2000, racingPlayLost: () => false },
      ivr: { bridgeExitTimeout_ms: 500, playbackStartTimeout_ms: 1000 },
    });
    expect(t.plays.map((p) => p.lost)).to.deep.equal([false, false]); // the cost (once), "another call?"
    expect(rig.requests.filter((r) => r.method === 'GET' && r.path.includes('/playbacks/'))).to.have.length(1);
    expect(logged(rig, 'warn', 'playback did not start: playing it again')).to.equal(0);
  });

  it('every prompt lost (a teardown that never ends in time): each is tried twice, then the call moves on and ends; the caller is never left in silence for good', async () => {
    rig = await startRig({
      sim: { bridgeTeardown_ms: 60_000, racingPlayLost: () => true },
      ivr: { bridgeExitTimeout_ms: 500, playbackStartTimeout_ms: 1000, anotherCallTimeout_ms: 2000 },
    });
    const card = await rig.issueCard(1000);
    farEnd(rig.sim, farEnds.answer(0, 3000));
    const caller = await talking(rig, card);
    const endedAt = Date.now();
    await caller.ended(5000);
    // In call time: 0.5 s waiting to leave, 2 × 1 s for the cost, 2 × 1 s for "another call?", 2 s for a key,
    // 2 × 1 s for "goodbye", then the hang-up: about 8.5 s = 0.85 s of wall time at ×10, well before the teardown.
    expect(Date.now() - endedAt).to.be.below(4000);
    const t = afterCallTimeline(rig, caller.channelId);
    expect(t.plays).to.have.length(6);
    expect(t.plays.every((p) => p.lost)).to.equal(true);
    expect(logged(rig, 'warn', 'playback did not start: playing it again')).to.equal(3);
    expect(logged(rig, 'warn', 'playback did not start again: moving on')).to.equal(3);
    const [rec] = await callRecordsOfCard(rig, card.card_id);
    expect(rec?.hangup_cause).to.equal('far_end_hangup');
    await expectSoundBooks(rig);
  });
});
