import { expect } from 'chai';
import { AriSimulator } from '../../../ivr/sim/ari-simulator';
import type { FarEnd } from '../../../ivr/sim/far-end';
import type { AriSimulatorOptions } from '../../../ivr/sim/options';
import { farEnds } from '../../../ivr/sim/far-end';
import { shapeOf } from './event-shape';
import { recordedDialplan, recordedMedia } from './recorded-dialplan';
import type { ReplayContext } from './replay';
import { replay, significantSignatures } from './replay';
import type { TranscriptLine } from './transcripts';
import { loadTranscript, MISSING_TRANSCRIPTS, requireTranscripts, transcriptsDir } from './transcripts';

/** Simulated time runs this much faster than the recording. */
const SPEED = 20;

interface Scenario {
  file: string;
  pjsip?: FarEnd;
  onNote?: (text: string, ctx: ReplayContext) => void;
  /** Part of the recording the simulator does not model (see the note text). */
  stopAtNote?: RegExp;
  /** Recorded requests the simulator does not model (not sent, their answers not compared), and why. */
  skip?: { ids: readonly number[]; why: string };
  /** Simulator options the recording needs (e.g. a wider race window, so that the recorded side of a race is taken). */
  sim?: Partial<AriSimulatorOptions>;
  /**
   * A slower time scale where a scripted caller's timers race the replayed requests with little recorded margin
   * (e.g. inbound-dtmf: 0.8 s between the end of the prompt and the first digit).
   */
  speed?: number;
}

/** SIPp callers of the sip-inbound-* recordings (sipp-scenarios/), as scripted simulator calls. */
function sippCaller(kind: 'dtmf' | 'bye' | 'cancel'): Scenario['onNote'] {
  return (text, ctx) => {
    if (text !== 'sipp started') return;
    const call = ctx.sim.placeInboundCall({
      callerNumber: '5551000', callerName: 'SIPp Caller', accessNumber: 'prepaid', endpoint: 'sipp', context: 'from-sipp',
      script: kind === 'dtmf' ? [{ at_ms: 2400, dtmf: '1234#', duration_ms: 280, gap_ms: 324 }] : kind === 'bye' ? [{ at_ms: 2500, hangup: true }] : [],
    });
    if (kind === 'cancel') setTimeout(() => call.hangup(), 1500 / SPEED);
  };
}

/** The recordings' `asterisk CLI: channel request hangup <name>` notes, on the simulator's channel of that name. */
function cliHangup(text: string, ctx: ReplayContext): void {
  const m = /^asterisk CLI: channel request hangup (\S+)/.exec(text);
  if (!m?.[1]) return;
  const unnumbered = (name: string): string => name.replace(/-[0-9a-f]{8}(?=;|$)/, '');
  const ch = ctx.sim.channels().find((c) => unnumbered(c.name) === unnumbered(m[1] ?? ''));
  if (!ch || !ctx.sim.requestHangup(ch.id)) throw new Error(`cannot replay "${text}"`);
}

/**
 * The play-* recordings (section 11): the bridge's teardown is made long enough (2 simulated seconds: 100–400 ms of
 * wall time) that a play sent as soon as the DELETE's 204 is in surely races it, as tries 2 and 5 did; try 5's play
 * is lost, as recorded.
 */
const RACE_TEARDOWN = { bridgeTeardown_ms: 2000, racingPlayLost: () => false };

const SCENARIOS: Scenario[] = [
  { file: 'inbound-dtmf.jsonl', speed: 8 },
  { file: 'inbound-dtmf-subscribeAll-false.jsonl', speed: 8 },
  { file: 'inbound-dtmf-subscribeAll-true.jsonl', speed: 8 },
  { file: 'channel-variables-and-info.jsonl', skip: { ids: [8], why: 'GET /sounds/{id}: the simulator has no sound library' } },
  { file: 'playback-interrupted-by-dtmf.jsonl' },
  { file: 'playback-control.jsonl' },
  { file: 'bridge-add-during-playback.jsonl' },
  // Part G originates into the dialplan (no app); the simulator only models channels headed for Stasis.
  { file: 'bridge-lifecycle.jsonl', stopAtNote: /^G: / },
  { file: 'outbound-answer-bridge.jsonl' },
  { file: 'outbound-answer-create-dial.jsonl' },
  // Try 1's /dial right after the create lost the race to Stasis (409) that tries 2–5 won: the simulator (no window
  // by default) takes the winning side, so try 1 is replayed from its retry after StasisStart. The final part sends
  // create and /dial in parallel; which of two HTTP requests Asterisk handles first (there: the /dial, 404) is not
  // something a replay can choose.
  { file: 'create-dial-race.jsonl', skip: { ids: [4], why: 'the /dial that lost the race; see create-then-dial-too-early-409.jsonl' }, stopAtNote: /client-chosen channelId and \/dial sent in parallel/ },
  // The losing side of that race, every time: a 200 ms (simulated) window between the create's 200 and Stasis.
  { file: 'create-then-dial-too-early-409.jsonl', sim: { createStasisDelay_ms: 200 } },
  { file: 'outbound-busy.jsonl' },
  { file: 'outbound-busy-create-dial.jsonl' },
  { file: 'outbound-congestion.jsonl' },
  { file: 'outbound-congestion-create-dial.jsonl' },
  { file: 'outbound-noanswer.jsonl' },
  { file: 'outbound-noanswer-create-dial.jsonl' },
  { file: 'dial-timeout-is-ring-timeout.jsonl' },
  { file: 'caller-hangs-up-while-ringing.jsonl' },
  { file: 'caller-hangs-up-while-ringing-create-dial.jsonl' },
  { file: 'absolute-timeout.jsonl' },
  { file: 'absolute-timeout-caller-unbridged.jsonl' },
  { file: 'hangup-reasons.jsonl' },
  { file: 'websocket-reconnect.jsonl', onNote: (text, ctx) => {
    const m = /asterisk CLI: channel request hangup (\S+)/.exec(text);
    if (m?.[1]) {
      const local = ctx.sim.channels().find((c) => c.name.replace(/-[0-9a-f]{8}/, '') === m[1]?.replace(/-[0-9a-f]{8}/, ''));
      if (local) ctx.sim.hangupFarEnd(local.id);
    }
  } },
  { file: 'websocket-replaced.jsonl' },
  { file: 'pjsip-outbound-answer-bridge-far-bye.jsonl', pjsip: farEnds.answer(1000, 3000) },
  { file: 'pjsip-outbound-answer-create-dial-far-bye.jsonl', pjsip: farEnds.answer(1000, 3000) },
  { file: 'pjsip-outbound-busy.jsonl', pjsip: farEnds.busy() },
  { file: 'pjsip-outbound-busy-create-dial.jsonl', pjsip: farEnds.busy() },
  { file: 'pjsip-outbound-503.jsonl', pjsip: farEnds.congestion() },
  { file: 'pjsip-outbound-404.jsonl', pjsip: farEnds.unallocated() },
  { file: 'pjsip-outbound-noanswer.jsonl', pjsip: farEnds.noAnswer() },
  { file: 'pjsip-outbound-noanswer-create-dial.jsonl', pjsip: farEnds.noAnswer() },
  { file: 'sip-inbound-dtmf.jsonl', onNote: sippCaller('dtmf'), speed: 10 },
  { file: 'sip-inbound-caller-bye.jsonl', onNote: sippCaller('bye') },
  { file: 'sip-inbound-caller-cancel.jsonl', onNote: sippCaller('cancel') },
  // Every racing play would be lost here: a play sent after the caller's ChannelLeftBridge never races (5 of 5 started).
  { file: 'play-after-channel-left-bridge.jsonl', onNote: cliHangup, sim: { ...RACE_TEARDOWN, racingPlayLost: () => true } },
  // Slower: its GET of the second playback came 5 ms into a 0.96 s sound (48 ms of wall time at ×20).
  { file: 'play-right-after-bridge-destroy.jsonl', sim: RACE_TEARDOWN, speed: 5, onNote: (text, ctx) => {
    cliHangup(text, ctx);
    if (text === 'TRY 5 begin') ctx.sim.setRacingPlayLost(() => true);
  } },
];

function restReport(lines: TranscriptLine[], responses: Map<number, { status: number; body: unknown }>): string[] {
  const problems: string[] = [];
  for (const l of lines) {
    if (l.dir !== 'response') continue;
    const got = responses.get(l.id);
    if (!got) {
      problems.push(`#${l.id}: no response (recorded ${l.status})`);
      continue;
    }
    if (got.status !== l.status) problems.push(`#${l.id}: status ${got.status}, recorded ${l.status} ${JSON.stringify(l.body)}`);
    else if (l.body !== null && typeof l.body === 'object' && !Array.isArray(l.body)) {
      const a = shapeOf(l.body);
      const b = shapeOf(got.body);
      if (a !== b) problems.push(`#${l.id}: body shape\n    recorded:  ${a}\n    simulated: ${b}`);
      const msg = (l.body as { message?: unknown }).message;
      if (msg !== undefined && msg !== (got.body as { message?: unknown } | null)?.message) problems.push(`#${l.id}: message ${JSON.stringify((got.body as { message?: unknown }).message)}, recorded ${JSON.stringify(msg)}`);
    }
  }
  return problems;
}

const SKIP_REASON = transcriptsDir() ? '' : ` (SKIPPED: ${MISSING_TRANSCRIPTS})`;

describe(`ARI simulator fidelity against the recorded Asterisk 22 transcripts${SKIP_REASON}`, function () {
  this.timeout(15_000);

  before(async function () {
    requireTranscripts(this);
    // Warm up fetch and ws (first use loads modules), so the first scenario's timing is like the others'.
    const sim = new AriSimulator({ user: 'acc', password: 'acc' });
    await sim.start();
    const lines: TranscriptLine[] = [{ dir: 'ws', t_ms: 0, conn: 1, action: 'connect', query: { app: 'prepaid', api_key: 'acc:acc' } }];
    await replay({ sim, speed: SPEED, lines, maxWait_ms: 500 });
    await sim.stop();
  });

  for (const s of SCENARIOS) {
    it(`${s.file}: same events (order per burst, key shapes) and REST answers`, async function () {
      requireTranscripts(this);
      const lines = loadTranscript(s.file);
      const speed = s.speed ?? SPEED;
      const sim = new AriSimulator({
        user: 'acc', password: 'acc', speed, mediaDuration: recordedMedia,
        farEnd: recordedDialplan(s.pjsip), pjsipEndpoints: ['sipp'], pjsipContext: 'from-sipp', ...s.sim,
      });
      await sim.start();
      try {
        const skipped = (id: number) => s.skip?.ids.includes(id) === true;
        const r = await replay({ sim, speed, lines, onNote: s.onNote, stopAtNote: s.stopAtNote, skipRequest: skipped });
        const report = r.aligner.report(significantSignatures(r.simEvents));
        expect(r.aligner.mismatches, `event sequence differs:\n${JSON.stringify(r.aligner.mismatches, null, 1)}\n${report}`).to.deep.equal([]);
        expect(r.aligner.simCount, `event count differs\n${report}`).to.equal(r.aligner.recordedCount);
        expect(r.aligner.shapeDiffs, 'event shapes differ').to.deep.equal([]);
        expect(restReport(r.lines.filter((l) => !(l.dir === 'response' && skipped(l.id))), r.responses), 'REST answers differ').to.deep.equal([]);
      } finally {
        await sim.stop();
      }
    });
  }

  it('errors.jsonl: same statuses, bodies and messages for every error answer, and WebSocket handshake outcomes', async function () {
    requireTranscripts(this);
    const lines = loadTranscript('errors.jsonl');
    const sim = new AriSimulator({
      user: 'acc', password: 'acc', speed: SPEED, mediaDuration: recordedMedia,
      farEnd: recordedDialplan(), pjsipEndpoints: ['sipp'], pjsipContext: 'from-sipp',
    });
    await sim.start();
    try {
      // #35/#41 dial a context that does not exist: the simulator has no dialplan to get that wrong with.
      const r = await replay({
        sim, speed: SPEED, lines, maxWait_ms: 500,
        skipRequest: (id) => id === 35 || id === 41,
        ignoreRecorded: (e) => JSON.stringify(e).includes('no-such-context'),
      });
      const rest = restReport(r.lines.filter((l) => !(l.dir === 'response' && (l.id === 35 || l.id === 41))), r.responses);
      expect(rest, 'REST answers differ').to.deep.equal([]);
      const recordedWs = new Map<number, string>();
      for (const l of r.lines) {
        if (l.dir === 'ws' && l.action === 'open') recordedWs.set(l.conn, 'open');
        if (l.dir === 'ws' && l.action === 'unexpected-response') recordedWs.set(l.conn, String(l.status));
      }
      expect(Object.fromEntries(r.wsOutcomes)).to.deep.equal(Object.fromEntries(recordedWs));
    } finally {
      await sim.stop();
    }
  });
});
