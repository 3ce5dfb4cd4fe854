import { expect } from 'chai';
import { isAriError } from '../../../ivr/ari/errors';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { inboundCall, sleep, startRig, waitForEvent } from './harness';

describe('AriTelephony: resilience', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    rig?.sim.resumeHttp();
    await rig?.stop();
    rig = undefined;
  });

  it('a REST call to an Asterisk that stopped answering rejects with ari_timeout within the configured timeout', async () => {
    rig = await startRig({}, { restTimeout_ms: 300 });
    const { call } = await inboundCall(rig);
    rig.sim.pauseHttp();
    const started = Date.now();
    const err = await rig.tel.answer(call.channelId).then(() => undefined, (e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(isAriError(err, 'ari_timeout'), String(err)).to.equal(true);
    expect(elapsed).to.be.within(250, 2000);
  });

  it('an Asterisk that went away entirely: Disconnected, and REST calls reject with ari_timeout instead of hanging', async () => {
    rig = await startRig({}, { restTimeout_ms: 300, backoff: { initialDelay_ms: 50, maxDelay_ms: 200, maxAttempts: 1000 } });
    const { call } = await inboundCall(rig);
    const disconnected = waitForEvent(rig, 'Disconnected');
    await rig.sim.stop();
    await disconnected;
    const err = await rig.tel.answer(call.channelId).then(() => undefined, (e: unknown) => e);
    expect(isAriError(err, 'ari_timeout'), String(err)).to.equal(true);
  });

  it('unknown or malformed event frames are ignored: no crash, later events still arrive', async () => {
    rig = await startRig();
    rig.sim.emitRaw({ type: 'SomethingNew', timestamp: '2026-11-24T03:56:46.993+0000', application: 'prepaid' });
    rig.sim.emitRaw({ type: 'StasisStart' });
    rig.sim.emitRaw({ no: 'type' });
    rig.sim.emitRaw('just a string');
    const { event } = await inboundCall(rig);
    expect(event.type).to.equal('StasisStart');
    expect(Object.fromEntries(rig.tel.ignoredFrames)).to.deep.equal({
      'unhandled-type:SomethingNew': 1,
      'malformed:StasisStart': 1,
      'no-type:': 2,
    });
  });

  it('reconnects after the WebSocket drops, then reconciles: channels survived, what ended meanwhile is settled', async () => {
    rig = await startRig({ farEnd: (t) => (t.number === '1' ? farEnds.answer() : farEnds.noAnswer()) });
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const answered = await rig.tel.originate({ endpoint: 'PJSIP/1@trunk', ringTimeout_s: 30 });
    expect((await answered.result).kind).to.equal('answered');
    const ringing = await rig.tel.originate({ endpoint: 'PJSIP/2@trunk', ringTimeout_s: 30 });
    await waitForEvent(rig, 'Dial', (e) => e.peer.id === ringing.channelId && e.dialStatus === 'RINGING');

    const disconnected = waitForEvent(rig, 'Disconnected');
    const reconnected = waitForEvent(rig, 'Reconnected');
    rig.sim.dropWebSockets({ refuse_ms: 150 });
    await disconnected;
    // While the app is deaf: the ringing leg goes away (nothing is replayed later), the answered one stays.
    rig.sim.hangupFarEnd(ringing.channelId);
    await sleep(20);
    const { snapshot } = await reconnected;
    expect(snapshot?.channels.map((c) => c.id).sort()).to.deep.equal([call.channelId, answered.channelId].sort());
    expect(await ringing.result).to.deep.equal({ kind: 'failed', status: 'GONE' });

    // Events flow again on the new socket.
    const end = waitForEvent(rig, 'StasisEnd', (e) => e.channel.id === call.channelId);
    call.hangup();
    await end;
  });

  it('gives up after its bounded number of reconnect attempts: ConnectionLost', async () => {
    rig = await startRig({}, { backoff: { initialDelay_ms: 10, maxDelay_ms: 20, maxAttempts: 3 } });
    const lost = waitForEvent(rig, 'ConnectionLost', () => true, 5000);
    rig.sim.dropWebSockets({ refuse_ms: 60_000 });
    expect((await lost).reason).to.match(/3 attempts/);
  });
});
