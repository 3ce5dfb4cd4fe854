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
