import { expect } from 'chai';
import Srf from 'drachtio-srf';
import { DrachtioServerDouble } from './drachtio-double';
import type { UasOptions } from './peers';
import { RawPeer, ScriptedCaller, ScriptedUas } from './peers';
import type { SipPeer } from './peers';
import type { Scenario, ScenarioContext } from './recorded-scenarios';
import { scenarios, SECRET } from './recorded-scenarios';
import type { WireLine } from './transcripts';
import { drachtioTranscriptsDir, loadSipTimeline, loadWire, MISSING_TRANSCRIPTS, scenarioNames } from './transcripts';
import type { Frame, Shape } from './wire-shape';
import { collapseRepeats, shapesOf, sigLine } from './wire-shape';

/**
 * Replays EVERY recorded scenario of ../shared/drachtio/transcripts with the same app behaviour, through the
 * double, with the REAL drachtio-srf, and checks that the double produced what the real drachtio-server did:
 * the same messages in each direction (type, context, leader tokens with the same transaction/dialog/message
 * id structure), the same SIP start lines and header names in what it builds, and the same SIP on the wire
 * (retransmissions aside: the in-process network is lossless).
 */

/** Per scenario: what the test saw besides the wire, as the recording saw it (notes and app events of wire.jsonl). */
const EXPECTED_OBSERVATIONS: Record<string, string[]> = {
  '01-connect-auth-reconnect': [
    'A2 OPTIONS: 200 OK', 'B2 OPTIONS (no app): 503 Service Unavailable', 'B2 INVITE (no app): 100 Trying / 503 Service Unavailable',
    'D2 OPTIONS: 200 OK', 'E disconnect() threw: AssertionError',
  ],
  '02-invite-reject-486': ['final 486'],
  '05-b2bua-far-end-busy-486': ['final 486'],
  '07-caller-cancel-while-ringing': ['final 487'],
  '08a-app-options-ping': ['live 200', 'dead 503', 'silent 408'],
  '09-register-digest': ['challenge 401, then 200'],
  '11b-invite-flood-503': ['50 of 50 answered 503 with Retry-After: 5'],
  '12-app-reconnect-during-call': ['far end BYE answered 481', 'caller BYE answered 481'],
  '13-app-uas-ack-never-arrives': ['app told: destroy with Reason SIP;cause=200;text="ACK timeout"'],
};

const NAMES: Record<number, string> = { 5071: 'uac', 5080: 'drachtio', 5090: 'uas1', 5091: 'uas2', 5092: 'uas3', 5093: 'uas4', 5094: 'raw', 5098: 'silent', 5099: 'dead' };

interface Run {
  frames: Frame[];
  sip: Array<{ key: string; id: string; call: string }>;
  observations: string[];
}

async function replay(sc: Scenario): Promise<Run> {
  const scale = sc.scale ?? 0.25;
  const ms = (recorded: number) => Math.max(1, Math.round(recorded * scale));
  // The 32 s timers of sofia, shortened in proportion, but kept well after the scenario's own waits.
  const double = new DrachtioServerDouble({ secret: SECRET, timers: { inviteTimeout_ms: ms(8000), requestTimeout_ms: ms(8000), ackTimeout_ms: ms(8000) } });
  const admin = await double.start();
  const srfs: Srf[] = [];
  const peers: SipPeer[] = [];
  let callerPeer: ScriptedCaller | undefined;
  const ctx: ScenarioContext = {
    double, admin, scale, ms,
    sleep: (recorded) => new Promise((r) => setTimeout(r, ms(recorded))),
    async connectSrf(opts = {}, install) {
      const srf = new Srf();
      srfs.push(srf);
      srf.on('error', () => {});
      install?.(srf);
      const connected = new Promise<void>((resolve, reject) => {
        srf.on('connect', (err) => (err ? reject(err) : resolve()));
      });
      srf.connect({ host: admin.host, port: admin.port, secret: opts.secret ?? SECRET, ...(opts.enablePing ? { enablePing: true, pingInterval: opts.pingInterval ?? 5000 } : {}) });
      await connected;
      return srf;
    },
    caller() {
      callerPeer = new ScriptedCaller(double.network, { host: '127.0.0.1', port: 5071 }, double.sipAddress).start();
      peers.push(callerPeer);
      return callerPeer;
    },
    callerPeer() {
      if (!callerPeer) throw new Error('no caller yet');
      return callerPeer;
    },
    uas(n: number, opts: UasOptions) {
      const p = new ScriptedUas(double.network, { host: '127.0.0.1', port: 5089 + n }, double.sipAddress, opts).start();
      peers.push(p);
      return p;
    },
    peer(port: number) {
      const p = new RawPeer(double.network, { host: '127.0.0.1', port }, double.sipAddress).start();
      peers.push(p);
      return p;
    },
    observations: [],
    cleanups: [],
  };
  try {
    await sc.run(ctx);
  } finally {
    for (const c of ctx.cleanups) c();
    for (const s of srfs) {
      try { s.disconnect(); } catch { /* never connected, or already closed */ }
    }
    for (const p of peers) p.stop();
    await double.stop();
  }
  const name = (a: { port: number }) => NAMES[a.port] ?? String(a.port);
  const sip = double.network.trace.map((p) => {
    const call = /\r\nCall-ID:\s*([^\r]*)/i.exec(p.text)?.[1]?.slice(0, 20) ?? '';
    return {
      key: `${name(p.from)}->${name(p.to)} ${label(p.first_line)}`,
      id: `${name(p.from)}|${name(p.to)}|${p.first_line}|${/\r\nCSeq:\s*([^\r]*)/i.exec(p.text)?.[1] ?? ''}|${call}`,
      call,
    };
  });
  return { frames: double.frames, sip, observations: ctx.observations };
}

/** What a packet is: its method, its status code, or `(unparsed)` for what is not a SIP/2.0 message. */
function label(firstLine: string): string {
  const res = /^SIP\/2\.0 (\d{3}) /.exec(firstLine);
  if (res) return res[1] as string;
  const req = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(firstLine);
  return req ? (req[1] as string) : '(unparsed)';
}

/** timeline.txt writes requests as `INVITE sip:…`, responses as `200 OK`, and quotes what it could not parse. */
function recordedLabel(firstLine: string): string {
  if (firstLine.startsWith('"')) return '(unparsed)';
  return firstLine.split(' ')[0] ?? '';
}

type Packet = { key: string; id: string; call: string };

/**
 * The SIP packets as one sequence, retransmissions dropped (the same packet — endpoints, first line, CSeq,
 * Call-ID — seen before). `perCall` orders them by call instead: with many overlapping calls (11b) only the
 * order within each call is determined by the server.
 */
function sipSequence(items: Packet[], perCall: boolean): string[] {
  const seen = new Set<string>();
  const kept = items.filter((i) => {
    if (seen.has(i.id)) return false;
    seen.add(i.id);
    return true;
  });
  if (!perCall) return kept.map((i) => i.key);
  const calls = new Map<string, string[]>();
  for (const i of kept) calls.set(i.call, [...(calls.get(i.call) ?? []), i.key]);
  return [...calls.values()].map((keys) => keys.join(', '));
}

function recordedSip(name: string): Packet[] {
  return loadSipTimeline(name).map((l) => ({
    key: `${l.from}->${l.to} ${recordedLabel(l.first_line)}`,
    id: `${l.from}|${l.to}|${l.first_line}|${l.cseq}|${l.call_id}`,
    call: l.call_id,
  }));
}

/** srf's retries with a wrong secret (01 E) repeat for as long as one waits: compare them as one. */
function normalise(shapes: Shape[]): Shape[] {
  return collapseRepeats(shapes, (s) => (s.sig === 'authenticate' || s.sig.startsWith('NO(authenticate') ? s.sig : `${Math.random()}`), 1);
}

function compareDirection(name: string, dir: Frame['dir'], recorded: Shape[], got: Shape[]): void {
  const r = normalise(recorded.filter((s) => s.dir === dir));
  const g = normalise(got.filter((s) => s.dir === dir));
  expect(sigLine(g), `${name} ${dir}: message sequence`).to.equal(sigLine(r));
  r.forEach((rs, i) => {
    const gs = g[i] as Shape;
    const where = `${name} ${dir} #${i + 1} ${rs.sig}`;
    expect(gs.leader, `${where}: leader tokens`).to.deep.equal(rs.leader);
    expect(gs.start_line, `${where}: start line`).to.equal(rs.start_line);
    expect(gs.headers, `${where}: header names`).to.deep.equal(rs.headers);
  });
}

describe('drachtio-server double: fidelity to the recorded drachtio-server transcripts', function () {
  this.timeout(90_000);
  const dir = drachtioTranscriptsDir();
  if (!dir) {
    it('needs the recordings in ../shared/drachtio/transcripts', function () {
      if (process.env.CI === 'true') throw new Error(MISSING_TRANSCRIPTS);
      this.skip();
    });
    return;
  }

  it('replays every recorded scenario, and nothing else', () => {
    expect(scenarios().map((s) => s.name)).to.deep.equal(scenarioNames());
  });

  for (const sc of scenarios()) {
    it(`${sc.name}: the same messages, ids and SIP as the real server`, async () => {
      const recorded = loadWire(sc.name).filter((l): l is Extract<WireLine, { raw: string }> => l.dir === 'srf->server' || l.dir === 'server->srf');
      const run = await replay(sc);
      const r = shapesOf(recorded.map((l) => ({ dir: l.dir, raw: l.raw })));
      const g = shapesOf(run.frames);
      compareDirection(sc.name, 'srf->server', r, g);
      compareDirection(sc.name, 'server->srf', r, g);
      const perCall = sc.name === '11b-invite-flood-503'; // 50 overlapping calls: only each call's own order is the server's
      expect(sipSequence(run.sip, perCall), `${sc.name}: SIP on the wire`).to.deep.equal(sipSequence(recordedSip(sc.name), perCall));
      const expected = sc.name === '11a-malformed-udp'
        ? loadWire(sc.name).flatMap((l) => (l.dir === 'note' && l.text.startsWith('PROBE RESULT: ') ? [l.text] : []))
        : EXPECTED_OBSERVATIONS[sc.name] ?? [];
      expect(run.observations, `${sc.name}: outcomes`).to.deep.equal(expected);
    });
  }
});
