import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { parseFrame } from '../../../ivr/ari/event-parse';
import { loadTranscript, MISSING_TRANSCRIPTS, requireTranscripts, transcriptsDir } from '../sim/transcripts';

const HANDLED = new Set([
  'StasisStart', 'StasisEnd', 'ChannelStateChange', 'ChannelDtmfReceived', 'ChannelHangupRequest', 'ChannelDestroyed', 'Dial',
  'PlaybackStarted', 'PlaybackContinuing', 'PlaybackFinished', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'BridgeDestroyed',
]);

describe('parseFrame', () => {
  it(`parses every event recorded from Asterisk 22 that the IVR uses, and reports the others as unhandled${transcriptsDir() ? '' : ` (SKIPPED: ${MISSING_TRANSCRIPTS})`}`, function () {
    const dir = requireTranscripts(this);
    let parsed = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of loadTranscript(file)) {
        if (line.dir !== 'event') continue;
        const r = parseFrame(JSON.stringify(line.event), 'prepaid');
        if (HANDLED.has(line.event.type)) {
          expect(r.ok, `${file}: ${line.event.type} ${JSON.stringify(r)}`).to.equal(true);
          parsed += 1;
        } else {
          expect(r).to.deep.equal({ ok: false, reason: 'unhandled-type', type: line.event.type });
        }
      }
    }
    expect(parsed).to.be.greaterThan(500);
  });

  it('reads a SIP BYE hang-up (no cause keys) and a PJSIP failure (tech_cause)', () => {
    const channel = {
      id: '1.1', name: 'PJSIP/trunk-00000001', state: 'Up', caller: { name: '', number: '5551000' },
      dialplan: { context: 'from-trunk', exten: '8005550100', priority: 2, app_name: 'Stasis', app_data: 'prepaid,inbound,8005550100' },
      creationtime: '2026-11-24T03:56:46.993+0000',
    };
    const bye = parseFrame(JSON.stringify({ type: 'ChannelHangupRequest', channel }), 'prepaid');
    expect(bye.ok && bye.event.type === 'ChannelHangupRequest' && bye.event).to.deep.include({ type: 'ChannelHangupRequest' });
    expect(bye.ok && 'cause' in bye.event).to.equal(false);
    const busy = parseFrame(JSON.stringify({ cause: 17, tech_cause: 486, type: 'ChannelDestroyed', cause_txt: 'User busy', channel }), 'prepaid');
    expect(busy.ok && busy.event).to.deep.include({ cause: 17, causeText: 'User busy', techCause: 486 });
    const start = parseFrame(JSON.stringify({ type: 'StasisStart', args: ['inbound', '8005550100'], channel }), 'prepaid');
    expect(start.ok && start.event.type === 'StasisStart' && start.event.channel).to.deep.include({ inStasis: true, dialedExten: '8005550100' });
    expect(start.ok && start.event.type === 'StasisStart' && start.event.channel.stasisArgs).to.deep.equal(['inbound', '8005550100']);
  });

  it('never throws on junk', () => {
    expect(parseFrame('{not json', 'prepaid')).to.deep.equal({ ok: false, reason: 'not-json' });
    expect(parseFrame('null', 'prepaid')).to.deep.equal({ ok: false, reason: 'no-type' });
    expect(parseFrame('{"type":"Dial"}', 'prepaid')).to.deep.equal({ ok: false, reason: 'malformed', type: 'Dial' });
  });
});
