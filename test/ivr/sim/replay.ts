import WebSocket from 'ws';
import type { AriSimulator } from '../../../ivr/sim/ari-simulator';
import { EventAligner } from './event-aligner';
import { isSignificant, signature } from './event-shape';
import type { AriEvent, TranscriptLine } from './transcripts';

export interface ReplayContext {
  sim: AriSimulator;
  /** The simulated id for a recorded one (itself when unknown, e.g. ids the client chose). */
  map(recordedId: string): string;
  /** Declares that a recorded id corresponds to a simulated one (e.g. a channel the test created itself). */
  pair(recordedId: string, simId: string): void;
}

export interface ReplayOptions {
  sim: AriSimulator;
  speed: number;
  lines: TranscriptLine[];
  /** Called at each note, e.g. to start a scripted SIP caller where the recording started SIPp. */
  onNote?: (text: string, ctx: ReplayContext) => void;
  /** Requests not to send (e.g. things the simulator does not model). */
  skipRequest?: (id: number) => boolean;
  /** Replay stops at the first note matching this (the rest of the recording is out of the simulator's scope). */
  stopAtNote?: RegExp;
  /** Wait for the simulator's events before each step (default true); off for REST-only checks. */
  followEvents?: boolean;
  /** Recorded events not to expect (e.g. those of a skipped request). */
  ignoreRecorded?: (e: AriEvent) => boolean;
  /** Longest wait for the simulator to catch up before a step (wall ms). */
  maxWait_ms?: number;
}

export interface RestOutcome { status: number; body: unknown }

export interface ReplayResult {
  aligner: EventAligner;
  simEvents: AriEvent[];
  responses: Map<number, RestOutcome>;
  wsOutcomes: Map<number, string>;
  /** The transcript lines that were replayed. */
  lines: TranscriptLine[];
}

const DEFAULT_AUTH = `Basic ${Buffer.from('acc:acc').toString('base64')}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Drives the simulator with the requests and WebSocket actions of a recorded transcript, in order. Before each
 * step it waits until the simulator has produced as many significant events as the recording had at that point
 * and until the responses the recorder had seen have arrived, then keeps the recorded gap (scaled by speed).
 */
export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  // Ids from REST answers are certain; ids from paired events are a best guess (first pairing wins).
  const certain = new Map<string, string>();
  const guessed = new Map<string, string>();
  const ctx: ReplayContext = {
    sim: o.sim,
    map: (id) => certain.get(id) ?? guessed.get(id) ?? id,
    pair: (rec, sim) => {
      if (rec !== sim) certain.set(rec, sim);
    },
  };
  const guess = (rec: string, sim: string): void => {
    if (rec !== sim && !guessed.has(rec)) guessed.set(rec, sim);
  };
  const stopAt = o.stopAtNote === undefined ? -1 : o.lines.findIndex((l) => l.dir === 'note' && o.stopAtNote?.test(l.text) === true);
  const lines = (stopAt === -1 ? o.lines : o.lines.slice(0, stopAt)).filter((l) => l.dir !== 'event' || !o.ignoreRecorded?.(l.event));
  const aligner = new EventAligner(
    lines.flatMap((l) => (l.dir === 'event' ? [{ event: l.event, t_ms: l.t_ms }] : [])),
    guess,
  );
  const simEvents: AriEvent[] = [];
  const responses = new Map<number, RestOutcome>();
  const pending = new Map<number, Promise<void>>();
  const wsOutcomes = new Map<number, string>();
  const sockets = new Map<number, WebSocket>();
  const maxWait = o.maxWait_ms ?? 3000;
  const base = o.sim.url;
  const recordedResponses = new Map<number, unknown>();
  for (const l of lines) if (l.dir === 'response') recordedResponses.set(l.id, l.body);

  const mapValue = (v: string): string => v.split(',').map((part) => ctx.map(part)).join(',');
  const mapBody = (v: unknown): unknown => {
    if (typeof v === 'string') return mapValue(v);
    if (Array.isArray(v)) return v.map(mapBody);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapBody(x)]));
    return v;
  };

  const send = (l: Extract<TranscriptLine, { dir: 'request' }>): void => {
    const url = new URL(base + l.path.split('/').map((seg) => encodeURIComponent(ctx.map(decodeURIComponent(seg)))).join('/'));
    for (const [k, v] of Object.entries(l.query)) {
      for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, mapValue(String(one)));
    }
    const headers: Record<string, string> = {};
    if (l.auth === undefined) headers.Authorization = DEFAULT_AUTH;
    else if (l.auth !== 'none') headers.Authorization = l.auth;
    let body: string | undefined;
    if (l.body !== null && l.body !== undefined) {
      body = typeof l.body === 'string' ? l.body : JSON.stringify(mapBody(l.body));
      headers['Content-Type'] = 'application/json';
    }
    pending.set(l.id, (async () => {
      const res = await fetch(url, { method: l.method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        parsed = text;
      }
      responses.set(l.id, { status: res.status, body: parsed });
      const rec = recordedResponses.get(l.id) as { id?: unknown } | null | undefined;
      const got = parsed as { id?: unknown } | null;
      if (rec && got && typeof rec.id === 'string' && typeof got.id === 'string') ctx.pair(rec.id, got.id);
    })());
  };

  const connect = (l: Extract<TranscriptLine, { dir: 'ws' }>): void => {
    const q = new URLSearchParams(l.query ?? {}).toString();
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ari/events${q ? `?${q}` : ''}`, { headers: l.headers ?? {} });
    sockets.set(l.conn, ws);
    ws.on('open', () => wsOutcomes.set(l.conn, 'open'));
    ws.on('unexpected-response', (_req, res) => {
      wsOutcomes.set(l.conn, String(res.statusCode));
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as AriEvent;
      simEvents.push(e);
      aligner.push(e);
    });
  };

  let recordedSignificant = 0;
  const seenResponses: number[] = [];
  let anchor_ms = 0;
  for (const l of lines) {
    if (l.dir === 'event') {
      if (isSignificant(l.event)) {
        recordedSignificant += 1;
        anchor_ms = l.t_ms;
      }
      continue;
    }
    if (l.dir === 'response') {
      seenResponses.push(l.id);
      anchor_ms = l.t_ms;
      continue;
    }
    if (l.dir === 'ws' && l.action !== 'connect' && l.action !== 'close-requested') continue;
    // A step: wait for the simulator to catch up, then keep the recorded gap.
    const until = Date.now() + maxWait;
    while (o.followEvents !== false && aligner.simCount < recordedSignificant && Date.now() < until) await sleep(2);
    await Promise.race([Promise.all(seenResponses.map((id) => pending.get(id))), sleep(maxWait)]);
    await sleep(Math.max(0, l.t_ms - anchor_ms) / o.speed);
    anchor_ms = l.t_ms;
    if (l.dir === 'request') {
      if (!o.skipRequest?.(l.id)) send(l);
    } else if (l.dir === 'ws' && l.action === 'connect') {
      connect(l);
      const opened = Date.now() + maxWait;
      while (!wsOutcomes.has(l.conn) && Date.now() < opened) await sleep(2);
    } else if (l.dir === 'ws') {
      sockets.get(l.conn)?.close(1000);
    } else if (l.dir === 'note') {
      o.onNote?.(l.text, ctx);
    }
  }
  const until = Date.now() + maxWait;
  while (o.followEvents !== false && aligner.simCount < aligner.recordedCount && Date.now() < until) await sleep(2);
  await Promise.race([Promise.all(pending.values()), sleep(maxWait)]);
  await sleep(50);
  for (const ws of sockets.values()) ws.terminate();
  return { aligner, simEvents, responses, wsOutcomes, lines };
}

export function significantSignatures(events: AriEvent[]): string[] {
  return events.filter(isSignificant).map(signature);
}
