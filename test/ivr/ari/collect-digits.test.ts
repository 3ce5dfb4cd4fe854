import { expect } from 'chai';
import { collectDigits } from '../../../ivr/ari/collect-digits';
import type { Rig } from './harness';
import { inboundCall, startRig } from './harness';

/** Scripted callers send DTMF through the simulator (20× speed): 100 ms digits, 150 ms apart, simulated. */
describe('collectDigits over AriTelephony', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig({ mediaDuration: (uri) => (uri === 'sound:long' ? 60_000 : 400) });
  });
  afterEach(async () => {
    await rig.stop();
  });

  const opts = { max: 16, terminator: '#', firstDigitTimeout_ms: 1500, interDigitTimeout_ms: 1500 };

  it('ends on the terminator, which is not included', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const result = collectDigits(rig.tel, call.channelId, opts);
    void call.sendDtmf('1234#', { duration_ms: 100, gap_ms: 150 });
    expect(await result).to.deep.equal({ outcome: 'terminator', digits: '1234' });
  });

  it('ends at max digits', async () => {
    const { call } = await inboundCall(rig);
    const result = collectDigits(rig.tel, call.channelId, { ...opts, max: 3 });
    void call.sendDtmf('98765', { duration_ms: 100, gap_ms: 150 });
    expect(await result).to.deep.equal({ outcome: 'max', digits: '987' });
  });

  it('times out without a first digit', async () => {
    const { call } = await inboundCall(rig);
    expect(await collectDigits(rig.tel, call.channelId, { ...opts, firstDigitTimeout_ms: 100 })).to.deep.equal({ outcome: 'timeout', digits: '' });
  });

  it('times out between digits and keeps what was entered', async () => {
    const { call } = await inboundCall(rig);
    const result = collectDigits(rig.tel, call.channelId, { ...opts, interDigitTimeout_ms: 150 });
    void call.sendDtmf('12', { duration_ms: 100, gap_ms: 150 });
    expect(await result).to.deep.equal({ outcome: 'timeout', digits: '12' });
  });

  it('reports a hang-up', async () => {
    const { call } = await inboundCall(rig);
    const result = collectDigits(rig.tel, call.channelId, opts);
    await call.sendDtmf('5', { duration_ms: 100 });
    call.hangup();
    expect(await result).to.deep.equal({ outcome: 'hangup', digits: '5' });
  });

  it('the first digit interrupts the prompt (type-ahead); the first-digit timer starts only after the prompt', async () => {
    const { call } = await inboundCall(rig);
    await rig.tel.answer(call.channelId);
    const prompt = await rig.tel.play(call.channelId, ['sound:long']);
    const result = collectDigits(rig.tel, call.channelId, { ...opts, firstDigitTimeout_ms: 50, interruptPlayback: prompt });
    // Well past firstDigitTimeout_ms, but the prompt is still playing, so the entry is still open.
    await call.sendDtmf('42#', { duration_ms: 1000, gap_ms: 150 });
    expect(await result).to.deep.equal({ outcome: 'terminator', digits: '42' });
    expect(await prompt.done).to.equal('stopped');
  });
});
