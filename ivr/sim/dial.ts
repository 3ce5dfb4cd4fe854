import { destroyChannel, emitChannel, emitDial, emitHangupRequest, enterStasis, leaveStasis, setState } from './channel-events';
import type { SimCore } from './core';
import type { DialTarget, FarEnd, FarEndOutcome } from './far-end';
import { remoteHangup } from './hangup';
import type { CallerIdJson, SimChannel } from './model';
import { runScript } from './scripts';
import { setVariable } from './variables';

export interface OutboundParams {
  target: DialTarget;
  mode: 'originate' | 'create';
  app?: string;
  appArgs: string[];
  callerId?: CallerIdJson;
  /** Originate ring timeout, simulated seconds; 0 = none. */
  timeout_s: number;
  variables: Record<string, string>;
  channelId?: string;
  otherChannelId?: string;
}

interface Failure { status: string; cause: number; techCause?: number }

export type FailureOutcome = Exclude<FarEndOutcome, 'answer' | 'noanswer' | 'stasis' | 'external'>;

const FAILURES: Readonly<Record<FailureOutcome, Failure>> = {
  busy: { status: 'BUSY', cause: 17, techCause: 486 },
  congestion: { status: 'CONGESTION', cause: 34, techCause: 503 },
  unallocated: { status: 'NOANSWER', cause: 1, techCause: 404 },
  chanunavail: { status: 'CHANUNAVAIL', cause: 20 },
};

function blankChannel(id: string, name: string, target: DialTarget): SimChannel {
  return {
    id, name, state: 'Down', protocolId: '', caller: { name: '', number: '' }, connected: { name: '', number: '' },
    dialplan: { context: '', exten: '', priority: 1, app_name: '', app_data: '' },
    creationtime: '', technology: target.technology, origin: 'originate', stasisArgs: [], vars: new Map(), reportedVars: new Set(),
    alive: true, hangingUp: false, timers: new Set(),
  };
}

/**
 * Creates the channel(s) for POST /channels or /channels/create. A Local endpoint makes a `;1`/`;2` pair; originate
 * subscribes the app to both halves, create only to `;1` (transcripts README, "What the app is subscribed to").
 */
export function createOutbound(core: SimCore, p: OutboundParams): SimChannel {
  const now = Date.now();
  const created = new Date(now).toISOString().replace('Z', '+0000');
  const originate = p.mode === 'originate';
  const caller = originate && p.callerId ? { ...p.callerId } : { name: '', number: '' };
  const appDial = originate ? { app_name: 'AppDial2', app_data: '(Outgoing Line)' } : { app_name: '', app_data: '' };
  const subscribe = p.app !== undefined && core.bus.hasApp(p.app) ? p.app : undefined;
  const t = p.target;
  let ch: SimChannel;
  if (t.technology === 'Local') {
    const base = `Local/${t.number}@${t.resource}-${core.ids.nameSuffix()}`;
    ch = blankChannel(p.channelId ?? core.ids.uniqueId(now), `${base};1`, t);
    const peer = blankChannel(p.otherChannelId ?? core.ids.uniqueId(now), `${base};2`, t);
    peer.state = 'Ring';
    peer.origin = 'local-peer';
    peer.caller = { ...caller };
    peer.connected = { ...caller };
    peer.dialplan = { context: t.resource, exten: t.number, priority: 1, app_name: '', app_data: '' };
    peer.creationtime = created;
    peer.subscribedApp = originate ? subscribe : undefined;
    peer.peer = ch;
    ch.peer = peer;
    ch.dialplan = { context: t.resource, exten: t.number, priority: 1, ...appDial };
  } else {
    ch = blankChannel(p.channelId ?? core.ids.uniqueId(now), `PJSIP/${t.resource}-${core.ids.nameSuffix()}`, t);
    ch.protocolId = core.ids.callId();
    ch.dialplan = { context: core.opts.pjsipContext, exten: 's', priority: 1, ...appDial };
  }
  ch.origin = p.mode;
  ch.caller = caller;
  ch.connected = { ...caller };
  ch.creationtime = created;
  ch.subscribedApp = subscribe;
  ch.stasisArgs = p.appArgs;
  ch.dial = {
    target: t,
    farEnd: core.opts.farEnd(t),
    dialstring: t.endpoint.slice(t.endpoint.indexOf('/') + 1),
    mode: originate ? 'originate' : 'dial',
    timeout_s: p.timeout_s,
    answered: false,
  };
  core.channels.set(ch.id, ch);
  if (ch.peer) core.channels.set(ch.peer.id, ch.peer);
  for (const [name, value] of Object.entries(p.variables)) setVariable(core, ch, name, value);
  core.record({ kind: originate ? 'originate' : 'create', channelId: ch.id, detail: { endpoint: t.endpoint } });
  return ch;
}

/** A channel whose app is not registered just goes away (errors.jsonl: gone within 1.5 s, no events). */
export function discardSoon(core: SimCore, ch: SimChannel): void {
  core.after(0, () => {
    if (ch.peer) destroyChannel(core, ch.peer, 0);
    destroyChannel(core, ch, 0);
  });
}

/**
 * A Local channel originated with no app into a context whose dialplan runs `Stasis(app,${EXTEN})`: its `;2` half
 * enters Stasis from the dialplan right after the 200 (state Ring, args [exten], dialplan priority 2), and is
 * unsubscribed at StasisEnd; the app never hears of `;1` (play-right-after-bridge-destroy.jsonl, "Caller").
 */
export function enterStasisFromDialplan(core: SimCore, ch: SimChannel, app: string): void {
  const peer = ch.peer;
  if (!peer) return;
  core.after(0, () => {
    if (!peer.alive) return;
    peer.stasisFromDialplan = true;
    peer.dialplan = { ...peer.dialplan, priority: 2 };
    enterStasis(core, peer, app, [peer.dialplan.exten], false);
  });
}

/** After /channels/create: the channel enters Stasis (Down) just after the 200 (see `createStasisDelay_ms`). */
export function enterStasisAfterCreate(core: SimCore, ch: SimChannel, app: string): void {
  core.after(core.opts.createStasisDelay_ms, () => {
    if (!ch.alive) return;
    const data = [app, ...ch.stasisArgs].join(',');
    emitChannel(core, ch, 'ChannelDialplan', [['dialplan_app', 'Stasis'], ['dialplan_app_data', data]]);
    enterStasis(core, ch, app, ch.stasisArgs, true);
  });
}

function ringing(core: SimCore, ch: SimChannel, dialstring: string): void {
  setState(core, ch, 'Ringing');
  emitDial(core, ch, 'RINGING', dialstring);
}

function onAnswered(core: SimCore, ch: SimChannel, farEnd: FarEnd): void {
  if (farEnd.script) runScript(core, ch, farEnd.script);
  if (farEnd.hangupAfter_ms !== undefined) core.after(farEnd.hangupAfter_ms, () => remoteHangup(core, ch), ch);
}

/** Schedules what happens after the 200 of an originate: ringing, then answer / failure / ring timeout. */
export function progressOriginate(core: SimCore, ch: SimChannel, app: string): void {
  const dial = ch.dial;
  if (!dial) return;
  const fe = dial.farEnd;
  const ds = dial.dialstring;
  const ring_ms = fe.outcome === 'noanswer' || fe.outcome === 'external' ? Infinity : fe.ring_ms ?? 0;
  const timeout_ms = dial.timeout_s > 0 ? dial.timeout_s * 1000 : Infinity;
  core.after(0, () => {
    if (!ch.alive) return;
    if (fe.outcome === 'noanswer' && ch.technology === 'Local') {
      // Recorded against [noanswer]: the `;1` shows Ringing before the first Dial event (outbound-noanswer.jsonl);
      // a SIP leg rings only when the 180 comes back, after the first Dial event.
      setState(core, ch, 'Ringing');
      emitDial(core, ch, '', ds);
      emitDial(core, ch, 'RINGING', ds);
    } else {
      emitDial(core, ch, '', ds);
      if (ring_ms > 0) ringing(core, ch, ds);
    }
    if (timeout_ms <= ring_ms) {
      if (timeout_ms !== Infinity) core.after(timeout_ms, () => originateNoAnswer(core, ch), ch);
      return;
    }
    core.after(ring_ms, () => {
      if (fe.outcome === 'answer' || fe.outcome === 'stasis') originateAnswer(core, ch, app);
      else if (fe.outcome !== 'noanswer' && fe.outcome !== 'external') originateFailure(core, ch, FAILURES[fe.outcome]);
    }, ch);
  }, ch);
}

function originateAnswer(core: SimCore, ch: SimChannel, app: string): void {
  const dial = ch.dial;
  if (!dial || !ch.alive) return;
  dial.answered = true;
  setState(core, ch, 'Up');
  if (ch.peer?.alive) setState(core, ch.peer, 'Up');
  emitDial(core, ch, 'ANSWER', dial.dialstring);
  enterStasis(core, ch, app, ch.stasisArgs, true);
  onAnswered(core, ch, dial.farEnd);
}

function originateFailure(core: SimCore, ch: SimChannel, f: Failure): void {
  const dial = ch.dial;
  if (!dial || !ch.alive) return;
  ch.hangingUp = true;
  const peer = ch.peer;
  if (peer) {
    // Local: the `;2` half runs Busy()/Congestion(); `;1` goes with cause 0 (outbound-busy.jsonl).
    if (f.status === 'BUSY' || f.status === 'CONGESTION') setState(core, peer, 'Busy');
    emitDial(core, ch, f.status, dial.dialstring);
    emitHangupRequest(core, peer, { cause: 0 });
    destroyChannel(core, ch, 0);
    emitHangupRequest(core, peer, { cause: 16, soft: true });
    destroyChannel(core, peer, f.cause);
    return;
  }
  emitHangupRequest(core, ch, { cause: f.cause, techCause: f.techCause });
  emitDial(core, ch, f.status, dial.dialstring);
  destroyChannel(core, ch, f.cause, f.techCause);
}

/** The originate ring timeout ran out: cause 19, and no Dial NOANSWER event (recorded). */
function originateNoAnswer(core: SimCore, ch: SimChannel): void {
  if (!ch.alive || ch.hangingUp) return;
  ch.hangingUp = true;
  const peer = ch.peer;
  if (peer?.alive) {
    emitHangupRequest(core, peer, { cause: 19 });
    destroyChannel(core, ch, 19);
    emitHangupRequest(core, peer, { cause: 16, soft: true });
    destroyChannel(core, peer, 19);
    return;
  }
  destroyChannel(core, ch, 19, 480);
}

/** After POST /channels/{id}/dial on a created channel (no second StasisStart on answer). */
export function progressDial(core: SimCore, ch: SimChannel, timeout_s: number): void {
  const dial = ch.dial;
  if (!dial) return;
  dial.timeout_s = timeout_s;
  const fe = dial.farEnd;
  const ring_ms = fe.outcome === 'noanswer' || fe.outcome === 'external' ? Infinity : fe.ring_ms ?? 0;
  const timeout_ms = timeout_s > 0 ? timeout_s * 1000 : Infinity;
  core.after(0, () => {
    if (!ch.alive) return;
    // With /dial only the first Dial event carries the dialstring.
    emitDial(core, ch, '', dial.dialstring);
    if (ring_ms > 0) ringing(core, ch, '');
    if (timeout_ms <= ring_ms) {
      if (timeout_ms !== Infinity) core.after(timeout_ms, () => dialNoAnswer(core, ch), ch);
      return;
    }
    core.after(ring_ms, () => {
      if (fe.outcome === 'answer' || fe.outcome === 'stasis') dialAnswer(core, ch);
      else if (fe.outcome !== 'noanswer' && fe.outcome !== 'external') dialFailure(core, ch, FAILURES[fe.outcome]);
    }, ch);
  }, ch);
}

function dialAnswer(core: SimCore, ch: SimChannel): void {
  const dial = ch.dial;
  if (!dial || !ch.alive) return;
  dial.answered = true;
  setState(core, ch, 'Up');
  if (ch.peer?.alive) ch.peer.state = 'Up';
  emitDial(core, ch, 'ANSWER', '');
  onAnswered(core, ch, dial.farEnd);
}

/** Local: a Dial event and the channel stays in Stasis (Down). PJSIP: Asterisk hangs the channel up itself. */
function dialFailure(core: SimCore, ch: SimChannel, f: Failure): void {
  if (!ch.alive) return;
  if (ch.technology === 'Local') {
    emitDial(core, ch, f.status, '');
    return;
  }
  ch.hangingUp = true;
  emitHangupRequest(core, ch, { cause: f.cause, techCause: f.techCause });
  leaveStasis(core, ch);
  destroyChannel(core, ch, f.cause, f.techCause);
}

function dialNoAnswer(core: SimCore, ch: SimChannel): void {
  if (!ch.alive || ch.hangingUp) return;
  ch.hangingUp = true;
  emitHangupRequest(core, ch, { cause: 32, soft: true });
  leaveStasis(core, ch);
  if (ch.peer?.alive) destroyChannel(core, ch.peer, 19);
  destroyChannel(core, ch, 19, ch.technology === 'PJSIP' ? 480 : undefined);
}

/** An `external` far end, driven by the test: it rings (180), answers (200) or fails now. False when it cannot. */
export function driveExternal(core: SimCore, ch: SimChannel, action: 'ring' | 'answer' | FailureOutcome): boolean {
  const dial = ch.dial;
  if (!dial || !ch.alive || ch.hangingUp || dial.answered || dial.farEnd.outcome !== 'external') return false;
  if (action === 'ring') {
    if (ch.state !== 'Ringing') ringing(core, ch, dial.mode === 'originate' ? dial.dialstring : '');
  } else if (action === 'answer') {
    if (dial.mode === 'originate') originateAnswer(core, ch, ch.subscribedApp ?? '');
    else dialAnswer(core, ch);
  } else if (dial.mode === 'originate') {
    originateFailure(core, ch, FAILURES[action]);
  } else {
    dialFailure(core, ch, FAILURES[action]);
  }
  return true;
}
