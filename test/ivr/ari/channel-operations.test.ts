import { expect } from 'chai';
import type { Rig } from './harness';
import { inboundCall, startRig, waitForEvent } from './harness';

describe('AriTelephony: channel operations', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('answer: ok, the channel goes Up and the simulator saw the answer', async () => {
    const { call } = await inboundCall(rig);
    const up = waitForEvent(rig, 'ChannelStateChange', (e) => e.channel.id === call.channelId && e.channel.state === 'Up');
    expect(await rig.tel.answer(call.channelId)).to.equal('ok');
    await up;
    expect(call.wasAnswered).to.equal(true);
    expect(rig.sim.records().map((r) => r.kind)).to.include('answer');
  });

  it('ring / stopRinging: ok, recorded as ringing indications', async () => {
    const { call } = await inboundCall(rig);
    expect(await rig.tel.ring(call.channelId)).to.equal('ok');
    expect(await rig.tel.stopRinging(call.channelId)).to.equal('ok');
    expect(rig.sim.records().filter((r) => r.channelId === call.channelId).map((r) => r.kind)).to.include.members(['ring', 'ring-stop']);
  });

  it('hangup with a reason: StasisEnd for an inbound channel, and the caller sees the call end', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const end = waitForEvent(rig, 'StasisEnd', (e) => e.channel.id === call.channelId);
    expect(await rig.tel.hangup(call.channelId, 'normal')).to.equal('ok');
    await end;
    expect(await call.ended).to.deep.equal({ by: 'app', cause: 16 });
  });

  it('a caller hang-up arrives as ChannelHangupRequest without a cause, then StasisEnd', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const hr = waitForEvent(rig, 'ChannelHangupRequest', (e) => e.channel.id === call.channelId);
    const end = waitForEvent(rig, 'StasisEnd', (e) => e.channel.id === call.channelId);
    call.hangup();
    expect((await hr).cause).to.equal(undefined);
    await end;
    expect((await call.ended).by).to.equal('caller');
  });

  it('setChannelVar: TIMEOUT(absolute) reaches the channel', async () => {
    const { call } = await inboundCall(rig);
    expect(await rig.tel.setChannelVar(call.channelId, 'TIMEOUT(absolute)', '120')).to.equal('ok');
    const left = rig.sim.absoluteTimeoutLeft_s(call.channelId);
    expect(left).to.be.a('number').within(100, 120);
  });

  it('a 404 on a channel that is already gone is an ordinary outcome: every operation answers "gone"', async () => {
    const { call } = await inboundCall(rig);
    const end = waitForEvent(rig, 'StasisEnd', (e) => e.channel.id === call.channelId);
    call.hangup();
    await end;
    const id = call.channelId;
    expect(await rig.tel.answer(id)).to.equal('gone');
    expect(await rig.tel.ring(id)).to.equal('gone');
    expect(await rig.tel.hangup(id)).to.equal('gone');
    expect(await rig.tel.setChannelVar(id, 'TIMEOUT(absolute)', '5')).to.equal('gone');
    const handle = await rig.tel.play(id, ['sound:hello-world']);
    expect(await handle.done).to.equal('gone');
    expect(await rig.tel.hangup('never-existed')).to.equal('gone');
  });

  it('snapshot lists the app’s channels and bridges only', async () => {
    const { call } = await inboundCall(rig);
    const bridge = await rig.tel.createBridge({ name: 'b' });
    await rig.tel.addToBridge(bridge.id, [call.channelId]);
    const snap = await rig.tel.snapshot();
    expect(snap.channels.map((c) => c.id)).to.deep.equal([call.channelId]);
    expect(snap.channels[0]).to.include({ inStasis: true, dialedExten: '8005550100' });
    expect(snap.bridges.map((b) => b.id)).to.deep.equal([bridge.id]);
    expect(snap.bridges[0]?.channelIds).to.deep.equal([call.channelId]);
  });
});
