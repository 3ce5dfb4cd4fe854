import type { FarEnd, FarEndRule } from '../../../ivr/sim/far-end';
import { farEnds } from '../../../ivr/sim/far-end';

/**
 * The far ends the transcripts were recorded with (asterisk-config/extensions.conf), as simulator rules: a Local
 * channel to `<exten>@<context>` behaves as that context did; PJSIP legs behave as the scenario's SIPp UAS.
 */
const LOCAL_CONTEXTS: Readonly<Record<string, FarEnd>> = {
  caller: { outcome: 'answer', script: [{ at_ms: 2000, dtmf: '1234#', duration_ms: 120, gap_ms: 250 }] },
  'caller-wait': { outcome: 'answer', hangupAfter_ms: 120_000 },
  'caller-dtmf-during-playback': { outcome: 'answer', script: [{ at_ms: 2500, dtmf: '5', duration_ms: 250 }] },
  'caller-dtmf-1s': { outcome: 'answer', script: [{ at_ms: 1000, dtmf: '7', duration_ms: 250 }] },
  'caller-hangup-early': { outcome: 'answer', script: [{ at_ms: 1000, dtmf: '12', duration_ms: 100, gap_ms: 100 }, { at_ms: 1500, hangup: true }] },
  'caller-hangup-3s': { outcome: 'answer', hangupAfter_ms: 3000 },
  busy: farEnds.busy(),
  congest: farEnds.congestion(),
  noanswer: farEnds.noAnswer(),
  'pstn-short': farEnds.answer(1000, 3000),
  'answer-then-hangup': farEnds.answer(0, 3000),
  'pstn-ring': farEnds.answer(2000, 60_000),
  pstn: farEnds.answer(0, 60_000),
  // Stasis(prepaid,${EXTEN}): the caller of the play-* recordings is the `;2` half of a Local channel into it.
  'acc-access': farEnds.stasis(),
};

export function recordedDialplan(pjsipFarEnd: FarEnd = farEnds.answer()): FarEndRule {
  return (t) => (t.technology === 'PJSIP' ? pjsipFarEnd : LOCAL_CONTEXTS[t.resource] ?? farEnds.answer());
}

/** Media lengths as recorded (digits ≈ 0.75 s, hello-world 1.4 s, tt-weasels 2.95 s, beep 0.42 s, vm-goodbye 0.96 s). */
export function recordedMedia(uri: string): number | 'missing' {
  if (uri.startsWith('sound:digits/')) return 747;
  const lengths: Record<string, number> = {
    'sound:hello-world': 1400,
    'sound:vm-intro': 6000,
    'sound:tt-weasels': 2950,
    'sound:beep': 420,
    'sound:vm-goodbye': 960,
  };
  return lengths[uri] ?? 'missing';
}
