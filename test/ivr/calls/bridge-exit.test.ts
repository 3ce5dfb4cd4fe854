import { expect } from 'chai';
import { MemoryLogger } from '../../../billing/shared/logger';
import { CallerBridges } from '../../../ivr/calls/bridge-exit';
import { systemCallClock } from '../../../ivr/calls/call-clock';
import type { Rig } from '../ari/harness';
import { inboundCall, sleep, startRig, waitForEvent } from '../ari/harness';

/** CallerBridges over the real adapter and the simulator: leaving the call bridge before the after-call prompts. */
describe('CallerBridges: waiting for the caller to leave a destroyed bridge', () => {
  let rig: Rig;
  afterEach(async () => {
    rig.sim.resumeHttp();
    await rig.stop();
  });

  async function callerInBridge(exitTimeout_ms: number) {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const log = new MemoryLogger();
    const bridges = new CallerBridges(rig.tel, call.channelId, systemCallClock, exitTimeout_ms, log);
    rig.tel.onChannel(call.channelId, (e) => bridges.onEvent(e));
    const bridge = await rig.tel.createBridge();
    const entered = waitForEvent(rig, 'ChannelEnteredBridge', (e) => e.channel.id === call.channelId);
    await rig.tel.addToBridge(bridge.id, [call.channelId]);
    await entered;
    return { bridges, bridgeId: bridge.id, log };
  }

  it('the bound runs from the DELETE\'s answer: a DELETE that waited longer than the bound (queued, a slow Asterisk) still sees the caller leave', async () => {
    rig = await startRig({ speed: 1, bridgeTeardown_ms: 20 });
    const { bridges, bridgeId, log } = await callerInBridge(300);
    rig.sim.pauseHttp();
    const exit = bridges.destroyAndLeave(bridgeId, () => false);
    await sleep(600);
    rig.sim.resumeHttp();
    expect(await exit).to.equal('left');
    expect(log.lines.filter((l) => l.level === 'warn')).to.deep.equal([]);
  });

  it('a caller that does not leave within the bound after the answer: timeout, and a warning', async () => {
    rig = await startRig({ speed: 1, bridgeTeardown_ms: 1000 });
    const { bridges, bridgeId, log } = await callerInBridge(100);
    expect(await bridges.destroyAndLeave(bridgeId, () => false)).to.equal('timeout');
    expect(log.lines.map((l) => l.message)).to.include('the caller did not leave the bridge in time: prompts may be lost');
  });
});
