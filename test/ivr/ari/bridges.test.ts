import { expect } from 'chai';
import type { Rig } from './harness';
import { inboundCall, startRig, waitForEvent } from './harness';

describe('AriTelephony: bridges', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('create, add the caller and the answered leg, remove, destroy', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const leg = await rig.tel.originate({ endpoint: 'PJSIP/12125551234@trunk', ringTimeout_s: 30 });
    expect((await leg.result).kind).to.equal('answered');

    const bridge = await rig.tel.createBridge({ name: 'call-1' });
    expect(bridge).to.deep.include({ name: 'call-1', bridgeType: 'mixing', channelIds: [] });
    const entered = waitForEvent(rig, 'ChannelEnteredBridge', (e) => e.channel.id === leg.channelId);
    expect(await rig.tel.addToBridge(bridge.id, [call.channelId, leg.channelId])).to.equal('ok');
    expect((await entered).bridge.channelIds).to.deep.equal([call.channelId, leg.channelId]);

    const left = waitForEvent(rig, 'ChannelLeftBridge', (e) => e.channel.id === leg.channelId);
    expect(await rig.tel.removeFromBridge(bridge.id, [leg.channelId])).to.equal('ok');
    expect((await left).bridge.channelIds).to.deep.equal([call.channelId]);

    expect(await rig.tel.destroyBridge(bridge.id)).to.equal('ok');
    expect(rig.sim.bridges()).to.deep.equal([]);
    expect(await rig.tel.destroyBridge(bridge.id)).to.equal('gone');
    expect(await rig.tel.addToBridge(bridge.id, [call.channelId])).to.equal('gone');
  });

  it('adding a channel that has hung up answers "gone"', async () => {
    const { call } = await inboundCall(rig);
    const bridge = await rig.tel.createBridge();
    const end = waitForEvent(rig, 'StasisEnd', (e) => e.channel.id === call.channelId);
    call.hangup();
    await end;
    expect(await rig.tel.addToBridge(bridge.id, [call.channelId])).to.equal('gone');
  });
});
