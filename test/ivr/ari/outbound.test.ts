import { expect } from 'chai';
import type { DialResult } from '../../../ivr/ari/telephony';
import type { FarEnd } from '../../../ivr/sim/far-end';
import { farEnds } from '../../../ivr/sim/far-end';
import type { Rig } from './harness';
import { startRig, waitForEvent } from './harness';

/** Far ends chosen by the dialled number, as a carrier would answer. */
const BY_NUMBER: Record<string, FarEnd> = {
  '12125550001': farEnds.answer(1000),
  '12125550002': farEnds.busy(500),
  '12125550003': farEnds.noAnswer(),
  '12125550004': farEnds.congestion(),
  '12125550005': farEnds.chanUnavailable(),
  '12125550006': farEnds.unallocated(),
  '12125550007': farEnds.answer(0, 2000),
};

describe('AriTelephony: originating the outbound leg', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({ farEnd: (t) => BY_NUMBER[t.number] ?? farEnds.answer() });
  });
  afterEach(async () => {
    await rig.stop();
  });

  const dial = (number: string, extra: { ringTimeout_s?: number; variables?: Record<string, string> } = {}) =>
    rig.tel.originate({
      endpoint: `PJSIP/${number}@trunk`, callerId: '"Prepaid" <5552000>', ringTimeout_s: extra.ringTimeout_s ?? 30,
      appArgs: ['outbound', number], ...(extra.variables && { variables: extra.variables }),
    });

  it('answered after ringing: Dial "", RINGING, ANSWER, then StasisStart with the app args (none before)', async () => {
    const seen: string[] = [];
    rig.tel.onChannel('leg-1', (e) => seen.push(e.type === 'Dial' ? `Dial:${e.dialStatus}` : `${e.type}:${'channel' in e ? e.channel.state : ''}`));
    const leg = await rig.tel.originate({ endpoint: 'PJSIP/12125550001@trunk', callerId: '"Prepaid" <5552000>', ringTimeout_s: 30, appArgs: ['outbound', '12125550001'], channelId: 'leg-1' });
    expect(leg.channelId).to.equal('leg-1');
    const result = await leg.result;
    expect(result.kind).to.equal('answered');
    const answered = result as Extract<DialResult, { kind: 'answered' }>;
    expect(answered.channel.stasisArgs).to.deep.equal(['outbound', '12125550001']);
    expect(answered.channel.callerNumber).to.equal('5552000');
    expect(seen).to.deep.equal(['Dial:', 'ChannelStateChange:Ringing', 'Dial:RINGING', 'ChannelStateChange:Up', 'Dial:ANSWER', 'StasisStart:Up']);
  });

  const failures: Array<[string, string, number, string | undefined]> = [
    ['busy', '12125550002', 17, 'BUSY'],
    ['no answer within the ring timeout', '12125550003', 19, 'NOANSWER'],
    ['congestion', '12125550004', 34, 'CONGESTION'],
    ['channel unavailable', '12125550005', 20, 'CHANUNAVAIL'],
    ['unallocated number (SIP 404)', '12125550006', 1, 'NOANSWER'],
  ];
  for (const [what, number, cause, status] of failures) {
    it(`${what}: failed ${status}, cause ${cause}`, async () => {
      const leg = await dial(number, { ringTimeout_s: 2 });
      expect(await leg.result).to.deep.include({ kind: 'failed', status, cause });
    });
  }

  it('an endpoint Asterisk cannot allocate: failed CHANUNAVAIL, no throw', async () => {
    const leg = await rig.tel.originate({ endpoint: 'PJSIP/123@no-such-trunk', ringTimeout_s: 30 });
    expect(await leg.result).to.deep.equal({ kind: 'failed', status: 'CHANUNAVAIL' });
  });

  it('the app hangs up a ringing leg (caller gave up): failed CANCEL', async () => {
    const leg = await dial('12125550003');
    await waitForEvent(rig, 'Dial', (e) => e.peer.id === leg.channelId && e.dialStatus === 'RINGING');
    expect(await rig.tel.hangup(leg.channelId)).to.equal('ok');
    expect(await leg.result).to.deep.include({ kind: 'failed', status: 'CANCEL' });
  });

  it('TIMEOUT(absolute) given at originate is set; updating it follows the limit; when it elapses the leg is hung up', async () => {
    const leg = await dial('12125550001', { variables: { 'TIMEOUT(absolute)': '600' } });
    expect(rig.sim.absoluteTimeoutLeft_s(leg.channelId)).to.be.within(590, 600);
    expect((await leg.result).kind).to.equal('answered');
    const destroyed = waitForEvent(rig, 'ChannelDestroyed', (e) => e.channel.id === leg.channelId);
    expect(await rig.tel.setChannelVar(leg.channelId, 'TIMEOUT(absolute)', '2')).to.equal('ok');
    expect(rig.sim.absoluteTimeoutLeft_s(leg.channelId)).to.be.within(1, 2);
    expect((await destroyed).cause).to.equal(0);
  });

  it('the far end hanging up after answer: ChannelHangupRequest, StasisEnd, ChannelDestroyed cause 16', async () => {
    const leg = await dial('12125550007');
    expect((await leg.result).kind).to.equal('answered');
    const destroyed = await waitForEvent(rig, 'ChannelDestroyed', (e) => e.channel.id === leg.channelId);
    expect(destroyed).to.include({ cause: 16, causeText: 'Normal Clearing' });
  });
});
