import { expect } from 'chai';
import { parseDialTarget } from '../../ivr/sim/far-end';
import { sandboxFarEnd, SANDBOX_RING_MS, SANDBOX_SHORT_CALL_MS } from '../../sandbox/sandbox-far-ends';
import { promptOfMediaUri, sandboxMediaDuration, wavDuration_ms } from '../../sandbox/phone/prompt-media';
import { promptFilePath } from '../../ivr/prompts/sound-files';

describe('sandbox far ends and prompt media', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['PJSIP/12125550123@trunk', { outcome: 'answer', ring_ms: SANDBOX_RING_MS, hangupAfter_ms: undefined }],
    ['PJSIP/447700900002@trunk', { outcome: 'busy' }],
    ['PJSIP/12125550003@trunk', { outcome: 'noanswer' }],
    ['PJSIP/34910000004@trunk', { outcome: 'congestion' }],
    ['PJSIP/12125550005@trunk', { outcome: 'answer', ring_ms: SANDBOX_RING_MS, hangupAfter_ms: SANDBOX_SHORT_CALL_MS }],
    ['PJSIP/trunk/sip:12125550002@10.0.0.1', { outcome: 'busy' }],
    ['Local/12125550004@pstn', { outcome: 'congestion' }],
    ['PJSIP/12125500020@trunk', { outcome: 'answer' }], // ...0020, not ...0002
  ];
  for (const [endpoint, expected] of cases) {
    it(`${endpoint} → ${String(expected.outcome)}`, () => {
      expect(sandboxFarEnd(parseDialTarget(endpoint)!)).to.include(expected);
    });
  }

  const uris: Array<[string, boolean]> = [
    ['sound:prepaid/en/welcome', true],
    ['sound:prepaid/es/enter_pin', true],
    ['sound:prepaid/fr/welcome', false],
    ['sound:prepaid/en/../../package', false],
    ['sound:prepaid/en/nope', false],
    ['sound:welcome', false],
    ['tone:ring', false],
  ];
  for (const [uri, known] of uris) {
    it(`media ${uri} is ${known ? '' : 'not '}a catalogue prompt`, () => {
      expect(promptOfMediaUri(uri) !== undefined).to.equal(known);
    });
  }

  it('prompts last as long as their WAV (8 kHz 16-bit mono: 16,000 bytes a second)', async () => {
    const { statSync } = await import('node:fs');
    const file = promptFilePath('en', 'welcome');
    const ms = wavDuration_ms(file);
    expect(ms).to.be.a('number');
    expect(Math.abs(ms! - ((statSync(file).size - 44) / 16)) < 20).to.equal(true);
    expect(sandboxMediaDuration('sound:prepaid/en/welcome')).to.equal(ms);
    expect(sandboxMediaDuration('sound:prepaid/en/no_such_prompt')).to.equal('missing');
  });
});
