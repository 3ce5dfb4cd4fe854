import { expect } from 'chai';
import type { Rig } from './harness';
import { inboundCall, startRig, waitForEvent } from './harness';

describe('AriTelephony: playback', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({ mediaDuration: (uri) => (uri === 'sound:missing' ? 'missing' : uri === 'sound:long' ? 60_000 : 400) });
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('plays several media as one playback: done "finished", the caller heard them in order', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const seen: string[] = [];
    rig.tel.onChannel(call.channelId, (e) => {
      if (e.type === 'PlaybackStarted' || e.type === 'PlaybackContinuing' || e.type === 'PlaybackFinished') seen.push(`${e.type}:${e.playback.mediaUri}`);
    });
    const handle = await rig.tel.play(call.channelId, ['sound:you-have', 'digits:12', 'sound:dollars'], { playbackId: 'pb-1' });
    expect(handle.playbackId).to.equal('pb-1');
    expect(await handle.done).to.equal('finished');
    expect(call.prompts()).to.deep.equal(['sound:you-have', 'digits:12', 'sound:dollars']);
    expect(seen).to.deep.equal([
      'PlaybackStarted:sound:you-have', 'PlaybackContinuing:sound:you-have',
      'PlaybackStarted:digits:12', 'PlaybackContinuing:digits:12',
      'PlaybackStarted:sound:dollars', 'PlaybackFinished:sound:dollars',
    ]);
  });

  it('started: resolves on PlaybackStarted; a play lost to a bridge teardown never starts, and cancel() ends it "stopped"', async () => {
    // Its own simulator: a 1-second (wall) teardown, every racing play lost.
    const race = await startRig({ mediaDuration: () => 400, bridgeTeardown_ms: 20_000, racingPlayLost: () => true });
    try {
      const { call } = await inboundCall(race);
      await race.tel.answer(call.channelId);
      const normal = await race.tel.play(call.channelId, ['sound:you-have']);
      await normal.started;
      expect(normal.hasStarted).to.equal(true);
      expect(await race.tel.playbackExists(normal.playbackId)).to.equal(true);
      expect(await normal.done).to.equal('finished');

      const leg = await race.tel.originate({ endpoint: 'PJSIP/12125551234@trunk', ringTimeout_s: 30 });
      expect((await leg.result).kind).to.equal('answered');
      const bridge = await race.tel.createBridge({ bridgeId: 'lost-race' });
      await race.tel.addToBridge(bridge.id, [call.channelId, leg.channelId]);
      await race.tel.destroyBridge(bridge.id);
      const lost = await race.tel.play(call.channelId, ['sound:you-have']);
      const early = await Promise.race([lost.started.then(() => 'started'), new Promise((r) => setTimeout(() => r('silent'), 300))]);
      expect(early).to.equal('silent');
      expect(lost.hasStarted).to.equal(false);
      expect(await race.tel.playbackExists(lost.playbackId), 'Asterisk no longer has it (GET 404)').to.equal(false);
      await lost.cancel();
      expect(await lost.done).to.equal('stopped');
      await lost.started;
    } finally {
      await race.stop();
    }
  });

  it('cancel() stops it: done "stopped"', async () => {
    const { call } = await inboundCall(rig);
    const handle = await rig.tel.play(call.channelId, ['sound:long']);
    await waitForEvent(rig, 'PlaybackStarted', (e) => e.playback.id === handle.playbackId);
    await handle.cancel();
    expect(await handle.done).to.equal('stopped');
  });

  it('the caller hanging up during a playback: done "gone"', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const handle = await rig.tel.play(call.channelId, ['sound:long']);
    await waitForEvent(rig, 'PlaybackStarted', (e) => e.playback.id === handle.playbackId);
    call.hangup();
    expect(await handle.done).to.equal('gone');
  });

  it('missing media (PlaybackFinished "failed" on a live channel): done "finished" after the grace period', async () => {
    const { call } = await inboundCall(rig);
    const handle = await rig.tel.play(call.channelId, ['sound:missing']);
    expect(await handle.done).to.equal('finished');
  });
});
